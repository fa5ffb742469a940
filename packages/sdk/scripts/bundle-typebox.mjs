// Replaces tsc's dist/vendor/typebox.js (a re-export of the typebox package) with one bundled file
// holding the same exports, so a worker loads TypeBox as one module instead of ~700. See src/vendor/typebox.ts.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
await build({
  absWorkingDir: packageDir,
  entryPoints: ['src/vendor/typebox.ts'],
  outfile: 'dist/vendor/typebox.js',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  legalComments: 'inline',
  logLevel: 'warning',
});
// tsc's source map described the re-export, not this file.
await rm(join(packageDir, 'dist/vendor/typebox.js.map'), { force: true });
