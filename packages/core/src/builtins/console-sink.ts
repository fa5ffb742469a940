import { Type, defineSink, type Chunk } from '@flowengine/sdk';

/**
 * `console-sink`: prints rows to stdout, as an aligned table (first `limit` rows, then a count of
 * the rest) or as JSON lines (every row). For demos and debugging, not for volume.
 */
export default defineSink({
  id: 'console-sink',
  config: Type.Object({
    format: Type.Union([Type.Literal('table'), Type.Literal('jsonl')], { default: 'table', description: '`table` or `jsonl`.' }),
    limit: Type.Integer({ minimum: 0, default: 20, description: 'Rows a table shows (0: all); jsonl prints all.' }),
  }, { additionalProperties: false }),
  open(ctx, inputSchema) {
    const { format, limit } = ctx.config;
    const names = inputSchema.fields.map((field) => field.name);
    const shown: string[][] = [];
    let hidden = 0;
    return {
      write(chunk: Chunk) {
        if (format === 'jsonl') {
          let out = '';
          for (const row of chunk.rows()) out += `${JSON.stringify(row.toObject(), jsonValue)}\n`;
          process.stdout.write(out);
          return;
        }
        for (const row of chunk.rows()) {
          if (limit !== 0 && shown.length >= limit) {
            hidden += chunk.length - row.index;
            break;
          }
          shown.push(names.map((_, i) => cell(row.get(i))));
        }
      },
      flush() {},
      close() {
        if (format !== 'table') return;
        // A run that failed before any row arrived has nothing to show: no empty table above the error.
        const complete = (ctx.signal.reason as { code?: unknown } | undefined)?.code === 'FE_PLUGIN_CLOSED';
        if (shown.length === 0 && !complete) return;
        process.stdout.write(renderTable(names, shown, hidden));
      },
    };
  },
});

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  return typeof value === 'string' ? value : String(value);
}

function jsonValue(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

function renderTable(names: readonly string[], rows: readonly string[][], hidden: number): string {
  const widths = names.map((name, i) => Math.max(name.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]): string => cells.map((text, i) => text.padEnd(widths[i] as number)).join(' | ').trimEnd();
  const out = [line(names), widths.map((width) => '-'.repeat(width)).join('-+-'), ...rows.map(line)];
  if (hidden > 0) out.push(`… ${hidden} more row(s)`);
  return `${out.join('\n')}\n`;
}
