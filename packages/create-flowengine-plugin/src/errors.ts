import type { ErrorCatalogue } from '@flowengine/sdk';

/**
 * Every error code `create-flowengine-plugin` raises. The "Error codes" table in README.md is kept
 * in step with this object by `test/errors.test.ts`. A published code is never reused.
 */
export const CREATE_ERRORS = {
  FE_CREATE_BAD_ARGUMENT: {
    meaning: 'A command-line flag is unknown, lacks its value, or has a value out of its set (e.g. `--kind`).',
    fix: 'Run `create-flowengine-plugin --help` and pass one of the listed flags and values.',
  },
  FE_CREATE_MISSING_ARGUMENT: {
    meaning: 'No target folder was given and there is no terminal to ask for one (CI, a pipe).',
    fix: 'Pass the folder as the first argument: `create-flowengine-plugin my-plugin --kind transform --yes`.',
  },
  FE_CREATE_INVALID_NAME: {
    meaning: 'The package name is not a valid name for a new npm package.',
    fix: 'Use lower case, no spaces, at most 214 characters, e.g. `flowengine-plugin-geoip` or `@acme/flowengine-plugin-geoip`.',
  },
  FE_CREATE_TARGET_NOT_EMPTY: {
    meaning: 'The target folder exists and is not empty; nothing was written, so no file of yours is overwritten.',
    fix: 'Pick a new folder name, or empty or remove the folder first.',
  },
  FE_CREATE_TEMPLATE_MISSING: {
    meaning: 'The plugin template that ships inside this package was not found (a broken install or an unbuilt checkout).',
    fix: 'Reinstall create-flowengine-plugin; in the FlowEngine repo run `npm run build -w create-flowengine-plugin` first.',
  },
  FE_CREATE_CANCELLED: {
    meaning: 'A prompt was cancelled (Ctrl-C or Escape); nothing was written.',
    fix: 'Run the command again, or pass every answer as a flag with `--yes`.',
  },
  FE_CREATE_UNEXPECTED: {
    meaning: 'Something outside the cases above failed (e.g. a file could not be written); the message carries the original error.',
    fix: 'Check permissions and free space of the target folder; report a bug with the printed stack if it persists.',
  },
} as const satisfies ErrorCatalogue;

export type CreateErrorCode = keyof typeof CREATE_ERRORS;

/** Exit code of a usage error (bad flag, bad name, non-empty folder): the caller must change the command. */
export const EXIT_USAGE = 2;
/** Exit code after a cancelled prompt, as a shell does for Ctrl-C. */
export const EXIT_CANCELLED = 130;
