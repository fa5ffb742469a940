// Copies the repo's templates/plugin into this package as template/, so the published tarball
// carries its own template (run by `build` and by `prepack`). template/ is git-ignored.
import { cp, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../../../templates/plugin', import.meta.url));
const target = fileURLToPath(new URL('../template', import.meta.url));

await rm(target, { recursive: true, force: true });
await cp(source, target, {
  recursive: true,
  // A developer may have installed or built inside templates/plugin; none of that ships.
  filter: (path) => !/[\\/](node_modules|dist|coverage)([\\/]|$)/.test(path.slice(source.length)) && !path.endsWith('.tsbuildinfo'),
});
