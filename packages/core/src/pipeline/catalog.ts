import type { TSchema } from '@flowengine/sdk';
import type { PluginRef } from '@flowengine/isolation';
import type { PluginCatalog, PluginCatalogEntry } from '../config/catalog.js';
import { BUILT_IN_PLUGINS } from '../builtins/index.js';

/** A plugin the engine can run: what the config loader checks against and what the host loads. */
export interface AvailablePlugin {
  readonly entry: PluginCatalogEntry;
  /** Handed to the isolation host as is. Built-in or `@flowengine/*`: `firstParty`, runs in a worker by default. */
  readonly ref: PluginRef;
}

/**
 * An installed plugin found in node_modules (or in the preload lock file), with its config schema
 * already read — in a throwaway worker, so no third-party code runs in the engine's own thread.
 */
export interface InstalledPlugin extends PluginRef {
  readonly packageName: string;
  readonly packageDir: string;
  readonly configSchema: TSchema;
}

/** The catalog of built-ins plus installed plugins; an installed id never shadows a built-in. */
export class AvailablePlugins implements PluginCatalog {
  readonly #plugins = new Map<string, AvailablePlugin>();

  constructor(installed: readonly InstalledPlugin[] = []) {
    for (const builtIn of BUILT_IN_PLUGINS) {
      const { descriptor } = builtIn;
      this.#plugins.set(descriptor.id, {
        entry: { id: descriptor.id, kind: descriptor.kind, config: descriptor.config, builtIn: true, trusted: true, ...(builtIn.check === undefined ? {} : { check: builtIn.check }) },
        ref: { id: descriptor.id, kind: descriptor.kind, modulePath: builtIn.modulePath, firstParty: true },
      });
    }
    for (const plugin of installed) {
      if (this.#plugins.has(plugin.id)) continue;
      // Only the ref's own fields: it is copied into every instance's options (to workers), so no
      // config schema, and nothing else a caller's object may carry (e.g. a descriptor's functions).
      const { id, kind, modulePath, packageName, packageDir, firstParty } = plugin;
      this.#plugins.set(id, {
        entry: { id, kind, config: plugin.configSchema, builtIn: false, trusted: firstParty },
        ref: { id, kind, modulePath, packageName, packageDir, firstParty },
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
