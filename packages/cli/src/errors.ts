import type { ErrorCatalogue } from '@flowengine/sdk';

/** Codes the `flowengine` command raises itself; kept in step with the README table by a test. */
export const CLI_ERRORS = {
  FE_CLI_USAGE: {
    meaning: 'The command line is wrong: an unknown command or option, a missing file argument, a bad value.',
    fix: 'Run `flowengine --help` for the usage; the message says what was expected.',
  },
  FE_CLI_UNEXPECTED: {
    meaning: 'Something failed that has no code of its own; the stack is printed.',
    fix: 'Report it with the stack and the pipeline file (secrets are redacted).',
  },
  FE_CLI_BASELINE_INVALID: {
    meaning: 'The `pipeline.performance.baselineFile` exists but is not a baseline written by `--update-baseline`.',
    fix: 'Delete it or re-record it with `flowengine run <file> --update-baseline`.',
  },
} as const satisfies ErrorCatalogue;
