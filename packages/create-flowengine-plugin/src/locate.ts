import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The template shipped inside this package (`template/`, copied from the repo's `templates/plugin`
 * by the build and by `prepack`), one level above `dist/`.
 */
export function templateDir(): string {
  return fileURLToPath(new URL('../template', import.meta.url));
}

/**
 * The SDK range new plugins declare: `^` + the version of the `@flowengine/sdk` this generator was
 * released with (a dependency, so changesets keeps the two in step).
 */
export function sdkRange(): string {
  const require = createRequire(import.meta.url);
  const manifest = JSON.parse(readFileSync(require.resolve('@flowengine/sdk/package.json'), 'utf8')) as { version: string };
  return `^${manifest.version}`;
}

/** This generator's own version, for `--help` and the intro line. */
export function ownVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}
