export { FlowEngineError, isFlowEngineErrorData } from './errors/flowengine-error.js';
export type { FlowEngineErrorData } from './errors/flowengine-error.js';
export { diffErrorDocs } from './errors/catalogue.js';
export type { ErrorCatalogue, ErrorCodeInfo } from './errors/catalogue.js';
export { SDK_ERRORS } from './errors.js';
export type { SdkErrorCode } from './errors.js';
