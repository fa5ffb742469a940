import { parseArgs } from 'node:util';
import { FlowEngineError } from '@flowengine/sdk';
import { isPluginKind, PLUGIN_KINDS, type PluginKind } from './kinds.js';

/** What the command line said; anything left undefined is asked for on a TTY or defaulted. */
export interface CliArgs {
  readonly dir: string | undefined;
  readonly name: string | undefined;
  readonly kind: PluginKind | undefined;
  readonly yes: boolean;
  readonly help: boolean;
}

export const USAGE = `Usage: create-flowengine-plugin [dir] [options]
       npm create flowengine-plugin@latest [dir] -- [options]

Options:
  --name <name>    npm package name (default: flowengine-plugin-<dir>)
  --kind <kind>    ${PLUGIN_KINDS.join(' | ')} (default: transform)
  -y, --yes        take the defaults for anything not given; never prompt
  -h, --help       show this help

Exit codes: 0 done, 2 bad usage (flag, name, non-empty folder), 130 cancelled, 1 anything else.`;

/** Parses argv (without node and the script); throws FE_CREATE_BAD_ARGUMENT on anything unknown. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        name: { type: 'string' },
        kind: { type: 'string' },
        yes: { type: 'boolean', short: 'y', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new FlowEngineError('FE_CREATE_BAD_ARGUMENT', `command line: ${(error as Error).message}\n\n${USAGE}`, { cause: error });
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new FlowEngineError('FE_CREATE_BAD_ARGUMENT',
      `command line: expected at most one folder, found ${positionals.length}: ${positionals.join(' ')}\n\n${USAGE}`,
      { details: { positionals } });
  }
  const kind = values.kind;
  if (kind !== undefined && !isPluginKind(kind)) {
    throw new FlowEngineError('FE_CREATE_BAD_ARGUMENT',
      `--kind: expected one of ${PLUGIN_KINDS.join(', ')}, found "${kind}"`, { details: { flag: 'kind', found: kind } });
  }
  return { dir: positionals[0], name: values.name, kind, yes: values.yes === true, help: values.help === true };
}
