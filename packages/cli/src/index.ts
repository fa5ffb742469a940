export { main, USAGE, parseInterval } from './main.js';
export { EXIT } from './exit-codes.js';
export type { Output } from './output.js';
export { renderSummary, summaryJson } from './render/summary.js';
export { CLI_ERRORS } from './errors.js';
