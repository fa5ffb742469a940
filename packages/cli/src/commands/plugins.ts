import { join } from 'node:path';
import { BUILT_IN_PLUGINS, configOptionsTable, listPlugins, pluginTypesIn } from '@flowengine/core';
import { LOCK_FILE, preloadPlugins } from '@flowengine/isolation';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { namedPlugins, projectDir } from '../pipeline.js';
import { renderTable } from '../render/table.js';

/** `flowengine plugins list|info <id>|preload [pipeline.yml]`. */
export async function pluginsCommand(options: { action: string | undefined; arg: string | undefined; json: boolean }, output: Output): Promise<number> {
  switch (options.action) {
    case 'preload':
      return preload(options.arg, options.json, output);
    case 'list':
    case undefined: {
      // From manifests: listing needs no plugin's code loaded.
      const rows = listPlugins(projectDir()).map((plugin) => ({ id: plugin.id, kind: plugin.kind, package: plugin.packageName ?? '(built-in)' }));
      if (options.json) output.out(JSON.stringify(rows));
      else output.out(renderTable(['id', 'kind', 'package'], rows.map((row) => [row.id, row.kind, row.package])));
      return EXIT.ok;
    }
    case 'info': {
      const id = options.arg;
      // Only this plugin is described (in a throwaway worker); a miss lists the ids from manifests.
      const plugin = id === undefined ? undefined : (await namedPlugins([id], process.cwd())).plugin(id);
      if (plugin === undefined) {
        const installed = listPlugins(projectDir()).map((listed) => listed.id);
        output.err(`plugins info: ${id === undefined ? 'expected a plugin id' : `no plugin "${id}"`}; installed: ${installed.join(', ')}`);
        return EXIT.usage;
      }
      if (options.json) output.out(JSON.stringify({ id: plugin.entry.id, kind: plugin.entry.kind, package: plugin.ref.packageName ?? null, config: plugin.entry.config }));
      else {
        output.out(`${plugin.entry.id} (${plugin.entry.kind}) from ${plugin.ref.packageName ?? 'the engine (built-in)'}`);
        // The same table the core README has for pipeline options: pastable into a plugin's README.
        output.out(configOptionsTable(plugin.entry.config));
      }
      return EXIT.ok;
    }
    default:
      output.err(`plugins: unknown action "${options.action}"; expected list, info or preload`);
      return EXIT.usage;
  }
}


/**
 * `flowengine plugins preload [pipeline.yml]`: resolves the plugins the pipeline names (or every
 * installed one), checks manifests and SDK ranges, compiles their config validators, hashes their
 * files and writes the lock file that `run` starts from and checks integrity against.
 */
async function preload(file: string | undefined, json: boolean, output: Output): Promise<number> {
  const root = projectDir();
  const builtIns = new Set(BUILT_IN_PLUGINS.map((plugin) => plugin.descriptor.id));
  const ids = file === undefined ? undefined : pluginTypesIn({ file }).filter((id) => !builtIns.has(id));
  const started = performance.now();
  const lock = await preloadPlugins({ projectDir: root, ...(ids === undefined ? {} : { ids }) });
  const locked = Object.values(lock.plugins);
  if (json) output.out(JSON.stringify({ lockFile: LOCK_FILE, plugins: locked.map((plugin) => ({ id: plugin.id, kind: plugin.kind, package: `${plugin.packageName}@${plugin.packageVersion}` })) }));
  else {
    output.out(renderTable(['id', 'kind', 'package', 'files'], locked.map((plugin) => [plugin.id, plugin.kind, `${plugin.packageName}@${plugin.packageVersion}`, Object.keys(lock.packages[plugin.packageDir]?.files ?? {}).length])));
    output.out(`wrote ${join(root, LOCK_FILE)}: ${locked.length} plugin(s) preloaded in ${Math.round(performance.now() - started)} ms`);
  }
  return EXIT.ok;
}
