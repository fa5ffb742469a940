import { readFileSync } from 'node:fs';
import { FlowEngineError } from '@flowengine/sdk';
import type { Static } from 'typebox';
import { Compile } from '@flowengine/sdk/typebox';
import type { PluginCatalog } from './catalog.js';
import { checkReferences } from './checks.js';
import { checkGraph, instanceLocations } from './graph-checks.js';
import { PipelineFile } from './file-schema.js';
import { deepFreeze } from './freeze.js';
import { normalize } from './normalize.js';
import { formatProblem, type ConfigProblem } from './problems.js';
import { addSchemaProblems } from './schema-problems.js';
import { collectSchemaSecrets, makeRedactor, redactValue } from './secrets.js';
import type { PipelineConfig } from './types.js';
import { readYamlTree } from './yaml-tree.js';

export interface PipelineSource {
  /** Path of the file: read when `text` is absent, and the name every problem starts with. */
  readonly file: string;
  /** The file's text, when the caller has it already. */
  readonly text?: string;
}

export interface LoadOptions {
  /** Variables for `${VAR}`; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Name under `profiles:` to overlay on `settings`. */
  readonly profile?: string;
  readonly plugins: PluginCatalog;
}

/** A loaded pipeline: the canonical config and what is needed to print it without its secrets. */
export interface LoadedConfig {
  readonly file: string;
  /** Deep-frozen, every default filled. Holds real secret values: plugins need them. */
  readonly config: PipelineConfig;
  /** The same config with secret values as `***`, for summaries, `--json` and logs. */
  readonly redacted: PipelineConfig;
  /** Values that must never be printed (from secret env vars, secret keys, URL passwords, `secret: true` options). */
  readonly secrets: ReadonlySet<string>;
  /** Replaces every secret inside `text` with `***`. */
  redact(text: string): string;
  /** Where each plugin instance is declared, so runtime errors about a stage can point at it. */
  readonly locations: ReadonlyMap<string, { readonly file: string; readonly line: number; readonly col: number }>;
}

export type ConfigCheck =
  | { readonly ok: true; readonly loaded: LoadedConfig; readonly problems: readonly [] }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[]; readonly error: FlowEngineError };

const fileValidator = Compile(PipelineFile);

/**
 * Reads, validates and normalises a pipeline file, returning every problem instead of throwing
 * (`flowengine validate`). Throws only `FE_CONFIG_READ_FAILED`, when the file cannot be read.
 */
export function checkPipelineConfig(source: PipelineSource, options: LoadOptions): ConfigCheck {
  const text = source.text ?? readText(source.file);
  const env = options.env ?? process.env;
  const tree = readYamlTree(source.file, text, env);
  const redactTree = makeRedactor(tree.secrets);
  if (!tree.syntaxFailed) {
    addSchemaProblems(tree.problems, PipelineFile, fileValidator, tree.value, '');
    checkReferences(tree.value, tree.problems, options.plugins, options.profile);
  }
  const problems = tree.problems.sorted().map((p) => ({ ...p, message: redactTree(p.message) }));
  if (problems.length > 0) return { ok: false, problems, error: configInvalid(source.file, problems) };

  const config = normalize(tree.value as Static<typeof PipelineFile>, options.plugins, options.profile);
  const locations = instanceLocations(source.file, config, tree.problems);
  const graphProblems = checkGraph(config, tree.problems);
  if (graphProblems.length > 0) {
    const redacted = graphProblems.map((p) => ({ ...p, message: redactTree(p.message) }));
    return { ok: false, problems: redacted, error: configInvalid(source.file, redacted) };
  }
  const secrets = new Set(tree.secrets);
  collectSchemaSecrets(config, options.plugins, secrets);
  const redact = makeRedactor(secrets);
  const loaded: LoadedConfig = {
    file: source.file,
    config: deepFreeze(config),
    redacted: deepFreeze(redactValue(config, secrets, redact)),
    secrets,
    redact,
    locations,
  };
  return { ok: true, loaded: Object.freeze(loaded), problems: [] };
}

/**
 * Loads a pipeline file into a deep-frozen {@link PipelineConfig}, or throws one `FE_CONFIG_INVALID`
 * listing every problem (`details.problems: [{ file, line, col, path, message, code }]`).
 *
 * @example
 * const { config, redact } = loadPipelineConfig({ file: 'pipeline.yml' }, { plugins, profile: 'production' });
 */
export function loadPipelineConfig(source: PipelineSource, options: LoadOptions): LoadedConfig {
  const result = checkPipelineConfig(source, options);
  if (!result.ok) throw result.error;
  return result.loaded;
}

/**
 * A pipeline file's text, read once for everything that needs it before the loader (the plugin
 * lookup, `flowengine run`'s warm threads) and the loader itself.
 * @throws FlowEngineError FE_CONFIG_READ_FAILED with the reason.
 */
export function readPipelineSource(file: string): PipelineSource & { readonly text: string } {
  return { file, text: readText(file) };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new FlowEngineError('FE_CONFIG_READ_FAILED', `${file}: cannot read the pipeline file (${reason}); check the path and permissions`, {
      details: { file }, cause,
    });
  }
}

function configInvalid(file: string, problems: readonly ConfigProblem[]): FlowEngineError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const message = `${file}: ${count}:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`;
  return new FlowEngineError('FE_CONFIG_INVALID', message, { details: { file, problems } });
}
