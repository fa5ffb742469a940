import type { TSchema } from 'typebox';

/** The kind of a plugin: where it may stand in a pipeline. */
export type PluginKind = 'source' | 'transform' | 'sink';

/** What the config loader needs to know about one installed plugin. */
export interface PluginCatalogEntry {
  /** The id a pipeline names in `type:` (`csv-source`, `filter`). */
  readonly id: string;
  readonly kind: PluginKind;
  /** TypeBox schema of the plugin's `config:`; mark a property `{ secret: true }` to redact its value. */
  readonly config: TSchema;
  /** Shipped with the engine (no install needed). */
  readonly builtIn: boolean;
  /**
   * Runs in a worker thread by default (built-in and first-party plugins). When false or absent, a
   * non-built-in plugin defaults to `process` mode unless the pipeline marks it `trusted: true`.
   */
  readonly trusted?: boolean;
  /**
   * Checks beyond the schema that need no input data, e.g. that an expression parses. Each issue
   * names the config key path and, for string values, the character it is about.
   */
  readonly check?: (config: Readonly<Record<string, unknown>>) => readonly PluginConfigIssue[];
}

/** A problem a plugin's own `check` found in its config. */
export interface PluginConfigIssue {
  /** Keys (and list indexes) from the plugin's `config:` down to the value. */
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** Character index inside a string value, when the problem is at a place in it. */
  readonly index?: number | undefined;
}

/**
 * The plugins a pipeline may name. The caller (CLI, tests) provides it: core's loader only reads it,
 * so config validation needs no plugin code to run.
 */
export interface PluginCatalog {
  get(type: string): PluginCatalogEntry | undefined;
  ids(): string[];
}
