import { relative, resolve } from 'node:path';
import * as prompts from '@clack/prompts';
import { FlowEngineError } from '@flowengine/sdk';
import { parseCliArgs, USAGE } from './args.js';
import { EXIT_CANCELLED, EXIT_USAGE, type CreateErrorCode } from './errors.js';
import { PLUGIN_KINDS, type PluginKind } from './kinds.js';
import { ownVersion, sdkRange, templateDir } from './locate.js';
import { defaultPackageName, followsConvention, nameProblems } from './names.js';
import { assertTargetDir, scaffold } from './scaffold.js';

/** Where the CLI reads and writes; `main` takes it so tests and embedders need not touch globals. */
export interface CliIo {
  readonly cwd: string;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Prompt for what the flags leave open; false in CI and pipes, where flags alone decide. */
  readonly interactive: boolean;
}

const USAGE_CODES: ReadonlySet<CreateErrorCode> = new Set([
  'FE_CREATE_BAD_ARGUMENT', 'FE_CREATE_MISSING_ARGUMENT', 'FE_CREATE_INVALID_NAME', 'FE_CREATE_TARGET_NOT_EMPTY',
]);

/** Runs the generator; resolves to the process exit code and never throws. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (thrown) {
    const error = FlowEngineError.from(thrown, 'FE_CREATE_UNEXPECTED');
    io.stderr.write(`error ${error.code}: ${error.message}\n`);
    if (error.code === 'FE_CREATE_CANCELLED') return EXIT_CANCELLED;
    if (USAGE_CODES.has(error.code as CreateErrorCode)) return EXIT_USAGE;
    if (!(thrown instanceof FlowEngineError) && thrown instanceof Error && thrown.stack !== undefined) io.stderr.write(`${thrown.stack}\n`);
    return 1;
  }
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCliArgs(argv);
  if (args.help) {
    io.stdout.write(`create-flowengine-plugin ${ownVersion()}\n\n${USAGE}\n`);
    return 0;
  }
  const ask = io.interactive && !args.yes;
  if (ask) prompts.intro(`create-flowengine-plugin ${ownVersion()}`);

  let dir = args.dir;
  if (dir === undefined) {
    if (!ask) {
      throw new FlowEngineError('FE_CREATE_MISSING_ARGUMENT',
        `expected a target folder as the first argument, found none (and no terminal to ask on).\n\n${USAGE}`);
    }
    dir = answered(await prompts.text({
      message: 'Where should the plugin go?',
      placeholder: 'my-plugin',
      validate: (value) => (value === undefined || value.trim() === '' ? 'Give a folder name.' : emptyFolderProblem(resolve(io.cwd, value))),
    }));
  }
  const targetDir = resolve(io.cwd, dir);

  let name = args.name;
  if (name === undefined) {
    const suggested = defaultPackageName(targetDir);
    name = ask
      ? answered(await prompts.text({
        message: 'npm package name',
        initialValue: suggested,
        validate: (value) => {
          const problems = nameProblems(value ?? '');
          return problems.length === 0 ? undefined : problems.join('; ');
        },
      }))
      : suggested;
  }

  let kind: PluginKind = args.kind ?? 'transform';
  if (args.kind === undefined && ask) {
    kind = answered(await prompts.select<PluginKind>({
      message: 'What kind of plugin?',
      initialValue: 'transform',
      options: PLUGIN_KINDS.map((value) => ({ value, label: value, hint: KIND_HINTS[value] })),
    }));
  }

  const result = await scaffold({ targetDir, packageName: name, kind, sdkRange: sdkRange(), templateDir: templateDir() });

  const where = relative(io.cwd, targetDir) || '.';
  const lines = [
    `Created ${name}: a ${kind} plugin with id "${result.pluginId}", in ${where} (${result.files.length} files).`,
    ...(followsConvention(name) ? [] : [`Note: third-party plugins are usually named flowengine-plugin-<name>; "${name}" works, but is harder to find.`]),
    '',
    'Next steps:',
    ...(where === '.' ? [] : [`  cd ${where}`]),
    '  npm install',
    '  npm test          # the SDK compliance suite and the example test',
    '  npm publish       # builds dist/ first (prepack)',
    '',
    `Then in a pipeline: type: ${result.pluginId}  (after \`npm install ${name}\` and \`npx flowengine plugins preload\`).`,
  ];
  if (ask) prompts.outro('Done.');
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

const KIND_HINTS: Record<PluginKind, string> = {
  source: 'reads rows from a system (a file, a queue, an API)',
  transform: 'turns chunks into other chunks (filter, enrich, reshape)',
  sink: 'writes rows to a system',
};

function answered<T>(value: T): Exclude<T, symbol> {
  if (prompts.isCancel(value) || typeof value === 'symbol') {
    prompts.cancel('Cancelled; nothing was written.');
    throw new FlowEngineError('FE_CREATE_CANCELLED', 'prompt cancelled; nothing was written');
  }
  return value as Exclude<T, symbol>;
}

/** The folder prompt's check: the scaffold's own, as a message the user can answer by typing another name. */
function emptyFolderProblem(dir: string): string | undefined {
  try {
    assertTargetDir(dir);
    return undefined;
  } catch (error) {
    return error instanceof FlowEngineError ? error.message : `${dir}: ${(error as Error).message}`;
  }
}
