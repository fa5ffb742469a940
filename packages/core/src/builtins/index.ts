import { fileURLToPath } from 'node:url';
import type { PluginDescriptor } from '@flowengine/sdk';
import cast from './cast.js';
import consoleSink from './console-sink.js';
import filter from './filter.js';
import generate from './generate.js';
import nullSink from './null-sink.js';
import select from './select.js';
import { checkFilterConfig, checkSelectConfig } from './config-checks.js';
import type { PluginConfigIssue } from '../config/catalog.js';

/** A plugin that ships with the engine: its descriptor (for config schemas) and the module a worker loads. */
export interface BuiltInPlugin {
  readonly descriptor: PluginDescriptor;
  readonly modulePath: string;
  /** Config checks beyond the schema, run by the config loader (e.g. expressions parse). */
  readonly check?: (config: Readonly<Record<string, unknown>>) => readonly PluginConfigIssue[];
}

const modulePath = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

/** Built-in plugins, usable in any pipeline without an install. */
export const BUILT_IN_PLUGINS: readonly BuiltInPlugin[] = Object.freeze([
  { descriptor: generate, modulePath: modulePath('./generate.js') },
  { descriptor: filter, modulePath: modulePath('./filter.js'), check: checkFilterConfig },
  { descriptor: select, modulePath: modulePath('./select.js'), check: checkSelectConfig },
  { descriptor: cast, modulePath: modulePath('./cast.js') },
  { descriptor: nullSink, modulePath: modulePath('./null-sink.js') },
  { descriptor: consoleSink, modulePath: modulePath('./console-sink.js') },
]);
