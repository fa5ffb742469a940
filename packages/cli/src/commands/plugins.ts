import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { projectPlugins } from '../pipeline.js';
import { renderTable } from '../render/table.js';

/** `flowengine plugins list|info <id>|preload [pipeline.yml]`. */
export async function pluginsCommand(options: { action: string | undefined; arg: string | undefined; json: boolean }, output: Output): Promise<number> {
  const plugins = await projectPlugins(process.cwd());
  switch (options.action) {
    case 'list':
    case undefined: {
      const rows = plugins.all().map((plugin) => ({ id: plugin.entry.id, kind: plugin.entry.kind, package: plugin.packageName ?? '(built-in)' }));
      if (options.json) output.out(JSON.stringify(rows));
      else output.out(renderTable(['id', 'kind', 'package'], rows.map((row) => [row.id, row.kind, row.package])));
      return EXIT.ok;
    }
    case 'info': {
      const id = options.arg;
      const plugin = id === undefined ? undefined : plugins.plugin(id);
      if (plugin === undefined) {
        output.err(`plugins info: ${id === undefined ? 'expected a plugin id' : `no plugin "${id}"`}; installed: ${plugins.ids().join(', ')}`);
        return EXIT.usage;
      }
      const schema = plugin.entry.config as { properties?: Record<string, { description?: string; default?: unknown; type?: unknown }>; required?: string[] };
      const required = new Set(schema.required ?? []);
      const options_ = Object.entries(schema.properties ?? {}).map(([name, property]) => [
        name, typeof property.type === 'string' ? property.type : 'see schema', required.has(name) && property.default === undefined ? 'yes' : 'no',
        property.default === undefined ? '' : JSON.stringify(property.default), property.description ?? '',
      ]);
      if (options.json) output.out(JSON.stringify({ id: plugin.entry.id, kind: plugin.entry.kind, package: plugin.packageName ?? null, config: plugin.entry.config }));
      else {
        output.out(`${plugin.entry.id} (${plugin.entry.kind}) from ${plugin.packageName ?? 'the engine (built-in)'}`);
        output.out(renderTable(['option', 'type', 'required', 'default', 'description'], options_));
      }
      return EXIT.ok;
    }
    default:
      output.err(`plugins: unknown action "${options.action}"; expected list, info or preload`);
      return EXIT.usage;
  }
}

