import { FlowEngineError, Schema, defineSource, type PluginContext, type SourceBatch } from '@flowengine/sdk';
import { resolveDialect } from './dialect.js';
import { CsvTokenizer } from './parse/tokenizer.js';
import { expandPath, readBytes } from './source/files.js';
import { SchemaSampler } from './source/infer.js';
import { CsvSourceConfig, sourceDefaults, type CsvSourceOptions } from './source/options.js';
import { RowFiller, fieldText } from './source/row-filler.js';

const READ_SIZE = 1 << 20;
/** Inference samples the first rows only: smaller reads. */
const SAMPLE_READ_SIZE = 1 << 16;
/** A row this many times maxFieldBytes long without an end is taken for a runaway quote. */
const ROW_LIMIT_FACTOR = 16;

/** Where a csv-source is in its input: the file, and the byte just after the last row delivered. */
export interface CsvPosition {
  readonly file: string;
  readonly byteOffset: number;
}

/**
 * `csv-source`: reads RFC 4180 files (one file or a glob) into columnar chunks.
 *
 * @example
 * # pipeline.yml
 * - name: orders
 *   type: csv-source
 *   config: { path: data/orders-*.csv.gz, chunkSize: 10000 }
 *   schema: { fields: [{ name: id, type: int32 }, { name: amount, type: float64 }] }
 */
export const csvSource = defineSource({
  id: 'csv-source',
  config: CsvSourceConfig,
  async open(ctx: PluginContext<CsvSourceOptions>) {
    const options = sourceDefaults(ctx.config);
    const where = `csv-source "${ctx.instanceName}"`;
    const dialect = resolveDialect(options, where);
    const nullBytes = new TextEncoder().encode(options.nullValue);
    const files = expandPath(options.path, where);
    const declared = ctx.declaredSchema ?? (options.schema === undefined ? undefined : Schema.fromDefinition(options.schema, `${where}: config.schema`));
    const tokenizerOptions = { ...dialect, maxFieldBytes: options.maxFieldBytes, validateUtf8: true, stripBom: true };
    const fileHasHeader = options.header === true;
    const rowLimit = options.maxFieldBytes * ROW_LIMIT_FACTOR;
    // Every file of this instance is read through this one buffer (see readBytes).
    const readBuffer = new Uint8Array(READ_SIZE);

    // One pass over the start of the first file for the header, the width and, if needed, types.
    const sampler = new SchemaSampler(fileHasHeader, declared === undefined ? options.inferSchema : 1, nullBytes, (t, field) => fieldText(t, field, dialect));
    await sample(files[0] as string, new CsvTokenizer(tokenizerOptions, sampler), sampler, readBuffer.subarray(0, SAMPLE_READ_SIZE), ctx.signal);

    if (fileHasHeader && sampler.header === undefined && declared === undefined) {
      throw new FlowEngineError('FE_CSV_HEADER', `${files[0]}:1: expected a header line to name the columns, found an empty file; declare a schema to read it as zero rows`,
        { details: { file: files[0] } });
    }
    // An empty file with a declared schema is zero rows: its (absent) header is taken as the schema's.
    const fileNames = fileHasHeader ? sampler.header ?? declared?.fields.map((f) => f.name) : undefined;
    const names = fileNames ?? (Array.isArray(options.header) ? options.header : declared?.fields.map((f) => f.name)
      ?? Array.from({ length: sampler.width }, (_, i) => `column${i + 1}`));
    const schema = declared ?? sampler.schema(names);
    if (declared === undefined) {
      ctx.logger.info(`${where}: inferred schema from ${sampler.rows} row(s): ${schema.toString()}`, { schema: schema.toDefinition(), sampledRows: sampler.rows });
    }
    const expectedFields = fileNames?.length ?? (Array.isArray(options.header) ? options.header.length : Math.max(sampler.width, schema.length));
    const columnMap = mapColumns(schema, names, where, files[0] as string, fileNames !== undefined || Array.isArray(options.header));

    const filler = new RowFiller(schema, dialect, nullBytes, options.chunkSize, (row) => ctx.reject(row));
    filler.mapColumns(columnMap, expectedFields);

    return {
      schema,
      async *read(): AsyncGenerator<SourceBatch<CsvPosition>> {
        const resume = resumePoint(ctx.resumeFrom, files);
        for (const file of files.slice(resume.fileIndex)) {
          filler.file = file;
          filler.skipUntil = file === resume.file ? resume.byteOffset : -1;
          if (fileHasHeader) {
            filler.onHeader = (header, t) => {
              if (header.join('\u0000') !== (fileNames as string[]).join('\u0000')) {
                const { line } = t.locate(t.base + t.rowStart);
                throw new FlowEngineError('FE_CSV_HEADER', `${file}:${line}:1: expected the header of ${files[0]} (${(fileNames as string[]).join(',')}), found ${header.join(',')}`,
                  { details: { file, expected: fileNames, found: header } });
              }
            };
          }
          const tokenizer = new CsvTokenizer(tokenizerOptions, filler);
          for await (const bytes of readBytes(file, readBuffer, ctx.signal)) {
            tokenizer.feed(bytes);
            if (tokenizer.pendingBytes > rowLimit) throw rowTooLarge(file, tokenizer, rowLimit);
            for (const ready of filler.ready.splice(0)) yield { chunk: ready.chunk, position: { file, byteOffset: ready.byteOffset } };
            if (ctx.signal.aborted) return;
          }
          tokenizer.finish();
          filler.finishChunk(tokenizer.rowNextOffset);
          for (const ready of filler.ready.splice(0)) yield { chunk: ready.chunk, position: { file, byteOffset: ready.byteOffset } };
        }
        ctx.logger.info(`${where}: read ${filler.delivered + filler.rejected} row(s) from ${files.length} file(s): ${filler.delivered} delivered, ${filler.rejected} rejected`,
          { files: files.length, delivered: filler.delivered, rejected: filler.rejected });
      },
    };
  },
});

/**
 * Where to pick up after a restart: the acknowledged file, and the offset after its last
 * acknowledged row. Rows before it are parsed again (so lines stay exact, and gzip cannot seek)
 * but not delivered. An unknown position reads everything again (at-least-once).
 */
function resumePoint(from: unknown, files: readonly string[]): { fileIndex: number; file: string | undefined; byteOffset: number } {
  const position = from as Partial<CsvPosition> | undefined;
  const fileIndex = typeof position?.file === 'string' ? files.indexOf(position.file) : -1;
  if (fileIndex < 0 || typeof position?.byteOffset !== 'number') return { fileIndex: 0, file: undefined, byteOffset: -1 };
  return { fileIndex, file: position.file, byteOffset: position.byteOffset };
}

async function sample(file: string, tokenizer: CsvTokenizer, sampler: SchemaSampler, buffer: Uint8Array, signal: AbortSignal): Promise<void> {
  for await (const bytes of readBytes(file, buffer, signal)) {
    tokenizer.feed(bytes);
    if (sampler.done) return;
  }
  tokenizer.finish();
}

/** For each schema field, the index of the row field that feeds it. */
function mapColumns(schema: Schema, names: readonly string[], where: string, file: string, byName: boolean): Int32Array {
  if (!byName) return Int32Array.from(schema.fields, (_, i) => i);
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    const first = seen.get(name);
    if (first !== undefined && schema.indexOf(name) >= 0) {
      throw new FlowEngineError('FE_CSV_HEADER', `${file}:1: column "${name}" appears twice (fields ${first + 1} and ${i + 1}), so ${where} cannot tell which one to read`,
        { details: { file, column: name } });
    }
    seen.set(name, i);
  });
  return Int32Array.from(schema.fields, (field) => {
    const index = seen.get(field.name);
    if (index === undefined) {
      throw new FlowEngineError('FE_CSV_HEADER', `${file}:1: expected a column "${field.name}" for the declared schema, found only ${names.join(', ')}`,
        { details: { file, field: field.name, header: [...names] } });
    }
    return index;
  });
}

function rowTooLarge(file: string, tokenizer: CsvTokenizer, limit: number): FlowEngineError {
  const line = tokenizer.rowLine;
  return new FlowEngineError('FE_CSV_ROW_TOO_LARGE',
    `${file}:${line}: expected a row to end within ${limit} bytes (16 × maxFieldBytes), found ${tokenizer.pendingBytes} bytes without an end; an unclosed quote is likely`,
    { details: { file, line, bytes: tokenizer.pendingBytes } });
}
