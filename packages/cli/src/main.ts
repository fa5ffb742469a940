import { parseArgs } from 'node:util';
import { FlowEngineError } from '@flowengine/sdk';
import { benchCommand } from './commands/bench.js';
import { pluginsCommand } from './commands/plugins.js';
import { runCommand } from './commands/run.js';
import { schemaCommand } from './commands/schema.js';
import { validateCommand } from './commands/validate.js';
import { EXIT } from './exit-codes.js';
import { processOutput, type Output } from './output.js';

export const USAGE = `flowengine — run data pipelines written in YAML

Usage:
  flowengine run <pipeline.yml> [--profile P] [--mode worker|inline|process] [--json]
                 [--monitor [--interval 5s]] [--profile-memory] [--metrics-port N] [--update-baseline]
  flowengine --pipeline <pipeline.yml>        same as run
  flowengine validate <pipeline.yml> [--profile P] [--json]
  flowengine schema [--out flowengine.schema.json]
  flowengine plugins list [--json] | info <id> | preload [pipeline.yml]
  flowengine bench <pipeline.yml> [-n 5] [--mode M] [--json]

Exit codes: 0 ok, 1 run failed, 2 config or usage error, 3 performance regression,
130 stopped by SIGINT, 143 stopped by SIGTERM.`;

const OPTIONS = {
  pipeline: { type: 'string' },
  profile: { type: 'string' },
  mode: { type: 'string' },
  json: { type: 'boolean' },
  monitor: { type: 'boolean' },
  interval: { type: 'string' },
  'profile-memory': { type: 'boolean' },
  'metrics-port': { type: 'string' },
  'update-baseline': { type: 'boolean' },
  out: { type: 'string' },
  n: { type: 'string', short: 'n' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** Runs one `flowengine` command line and returns the exit code; never calls process.exit. */
export async function main(argv: readonly string[], output: Output = processOutput): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    output.err(`${(error as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    output.out(USAGE);
    return EXIT.ok;
  }
  if (values.version === true) {
    output.out(await ownVersion());
    return EXIT.ok;
  }
  const command = values.pipeline !== undefined ? 'run' : positionals[0];
  const args = values.pipeline !== undefined ? [values.pipeline, ...positionals] : positionals.slice(1);

  try {
    const mode = parseMode(values.mode);
    switch (command) {
      case 'run':
        return await runCommand({
          file: required(args[0], 'run needs a pipeline file: flowengine run <pipeline.yml>'),
          profile: values.profile,
          mode,
          json: values.json === true,
          monitor: values.monitor === true,
          intervalMs: values.interval === undefined ? 5000 : parseInterval(values.interval),
          profileMemory: values['profile-memory'] === true,
          metricsPort: values['metrics-port'] === undefined ? undefined : parsePort(values['metrics-port']),
          updateBaseline: values['update-baseline'] === true,
          progress: output.isTTY,
        }, output);
      case 'validate':
        return await validateCommand({ file: required(args[0], 'validate needs a pipeline file'), profile: values.profile, json: values.json === true }, output);
      case 'schema':
        return await schemaCommand({ out: values.out }, output);
      case 'plugins':
        return await pluginsCommand({ action: args[0], arg: args[1], json: values.json === true }, output);
      case 'bench':
        return await benchCommand({ file: required(args[0], 'bench needs a pipeline file'), runs: values.n === undefined ? 5 : parseCount(values.n), profile: values.profile, mode, json: values.json === true }, output);
      case undefined:
        output.err(USAGE);
        return EXIT.usage;
      default:
        throw usage(`unknown command "${command}"; expected one of run, validate, schema, plugins, bench`);
    }
  } catch (error) {
    return reportError(error, output);
  }
}

function reportError(error: unknown, output: Output): number {
  const failure = FlowEngineError.from(error, 'FE_CLI_UNEXPECTED');
  output.err(`error ${failure.code}: ${failure.message}`);
  if (failure.code === 'FE_CLI_UNEXPECTED' && failure.cause instanceof Error && failure.cause.stack) output.err(failure.cause.stack);
  return isUsageError(failure.code) ? EXIT.usage : EXIT.runFailed;
}

/** Config and command-line problems exit 2: nothing ran. */
function isUsageError(code: string): boolean {
  return code.startsWith('FE_CONFIG_') || code.startsWith('FE_GRAPH_') || code === 'FE_CLI_USAGE' || code.startsWith('FE_EXPR_')
    || code === 'FE_PLUGIN_NOT_FOUND' || code === 'FE_PLUGIN_SDK_MISMATCH';
}

function usage(message: string): FlowEngineError {
  return new FlowEngineError('FE_CLI_USAGE', message);
}

function required(value: string | undefined, message: string): string {
  if (value === undefined || value === '') throw usage(message);
  return value;
}

function parseMode(value: string | undefined): 'worker' | 'inline' | 'process' | undefined {
  if (value === undefined) return undefined;
  if (value === 'worker' || value === 'inline' || value === 'process') return value;
  throw usage(`--mode: expected worker, inline or process, found "${value}"`);
}

/** `5s`, `500ms`, `2m`, or a bare number of seconds. */
export function parseInterval(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (match === null) throw usage(`--interval: expected a duration like 5s, 500ms or 1m, found "${text}"`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  const ms = unit === 'ms' ? value : unit === 's' ? value * 1000 : value * 60_000;
  if (ms < 100) throw usage(`--interval: expected at least 100ms, found "${text}"`);
  return ms;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usage(`--metrics-port: expected a port number 0-65535, found "${text}"`);
  return port;
}

function parseCount(text: string): number {
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1) throw usage(`-n: expected a whole number of runs >= 1, found "${text}"`);
  return count;
}

async function ownVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
