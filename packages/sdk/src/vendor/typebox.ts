// The parts of TypeBox FlowEngine uses at run time, through one module. `npm run build` replaces
// this file's output (dist/vendor/typebox.js) with a single-file bundle of them
// (scripts/bundle-typebox.mjs): TypeBox ships ~700 ES modules, and loading them cost every plugin
// worker ~0.5 s of CPU at start, and the CLI as much again (a 2-core machine runs a pipeline's
// threads on those same cores). The core and the isolation host import it as
// `@flowengine/sdk/typebox`, so the process holds one TypeBox. Type checking still sees the typebox
// package itself, and a bare `tsc -b` leaves this plain re-export, which works, only slower.
export { Type } from 'typebox';
export { Value } from 'typebox/value';
export { Compile } from 'typebox/compile';
export { Settings } from 'typebox/system';
