import type { PluginKind, TSchema } from '@flowengine/sdk';
import type { PluginCatalog, PluginCatalogEntry } from '../config/catalog.js';
import { BUILT_IN_PLUGINS } from '../builtins/index.js';

/** A plugin the engine can run: what the config loader checks against and what the host loads. */
export interface AvailablePlugin {
  readonly entry: PluginCatalogEntry;
  readonly modulePath: string;
  readonly packageName?: string | undefined;
  readonly packageDir?: string | undefined;
  /** Built-in or `@flowengine/*`: runs in a worker by default; others run in `process` mode. */
  readonly firstParty: boolean;
}

/**
 * An installed plugin found in node_modules (or in the preload lock file), with its config schema
 * already read — in a throwaway worker, so no third-party code runs in the engine's own thread.
 */
export interface InstalledPlugin {
  readonly id: string;
  readonly kind: PluginKind;
  readonly configSchema: TSchema;
  readonly modulePath: string;
  readonly packageName: string;
  readonly packageDir: string;
  readonly firstParty: boolean;
}

/** The catalog of built-ins plus installed plugins; an installed id never shadows a built-in. */
export class AvailablePlugins implements PluginCatalog {
  readonly #plugins = new Map<string, AvailablePlugin>();

  constructor(installed: readonly InstalledPlugin[] = []) {
    for (const builtIn of BUILT_IN_PLUGINS) {
      const { descriptor } = builtIn;
      this.#plugins.set(descriptor.id, {
        entry: { id: descriptor.id, kind: descriptor.kind, config: descriptor.config, builtIn: true, trusted: true, ...(builtIn.check === undefined ? {} : { check: builtIn.check }) },
        modulePath: builtIn.modulePath,
        firstParty: true,
      });
    }
    for (const plugin of installed) {
      if (this.#plugins.has(plugin.id)) continue;
      const firstParty = plugin.firstParty;
      this.#plugins.set(plugin.id, {
        entry: { id: plugin.id, kind: plugin.kind, config: plugin.configSchema, builtIn: false, trusted: firstParty },
        modulePath: plugin.modulePath,
        packageName: plugin.packageName,
        packageDir: plugin.packageDir,
        firstParty,
      });
    }
  }

  get(type: string): PluginCatalogEntry | undefined {
    return this.#plugins.get(type)?.entry;
  }

  ids(): string[] {
    return [...this.#plugins.keys()].sort();
  }

  plugin(type: string): AvailablePlugin | undefined {
    return this.#plugins.get(type);
  }

  all(): AvailablePlugin[] {
    return [...this.#plugins.values()];
  }
}
