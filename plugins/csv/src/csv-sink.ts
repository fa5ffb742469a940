import { basename, dirname, join, resolve } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { FlowEngineError, defineSink, type Chunk, type PluginContext, type Schema } from '@flowengine/sdk';
import { columnKinds } from './column-kind.js';
import { resolveDialect } from './dialect.js';
import { ByteWriter } from './format/byte-writer.js';
import type { FieldStyle } from './format/fields.js';
import { AtomicFile } from './sink/atomic-file.js';
import { OutputLock } from './sink/lock.js';
import { CsvSinkConfig, type CsvSinkOptions } from './sink/options.js';
import { writeHeader, writeRows } from './sink/row-writer.js';

/**
 * `csv-sink`: writes chunks as RFC 4180 CSV, quoting only where needed.
 *
 * The output appears under its final name only on success: rows go to a hidden temporary file
 * beside it, which `close()` fsyncs and renames into place when `flush()` followed the last write,
 * no write failed, and `ctx.signal` was not aborted for another reason than a normal close
 * (FE_PLUGIN_CLOSED). A failed, killed or interrupted run leaves the final name untouched.
 */
export const csvSink = defineSink({
  id: 'csv-sink',
  config: CsvSinkConfig,
  async open(ctx: PluginContext<CsvSinkOptions>, inputSchema: Schema) {
    const config = ctx.config;
    const where = `csv-sink "${ctx.instanceName}"`;
    const path = resolve(config.path);
    const dialect = resolveDialect({ delimiter: config.delimiter, quote: config.quote ?? '"' }, where);
    if (dialect.quote < 0) {
      throw new FlowEngineError('FE_CSV_CONFIG', `${where}: expected "quote" to be one ASCII character (the sink must be able to quote), found ""`, { details: {} });
    }
    const style: FieldStyle = {
      ...dialect,
      escapeFormulae: config.escapeFormulae ?? false,
      nullBytes: new TextEncoder().encode(config.nullValue ?? ''),
    };
    const gzip = config.gzip ?? path.endsWith('.gz');
    const header = config.header ?? true;
    const maxRows = config.maxRowsPerFile ?? Infinity;
    const names = inputSchema.fields.map((field) => field.name);
    const kinds = columnKinds(inputSchema);

    // Like `mkdir -p`: a pipeline writing to out/x.csv should not fail because out/ is new.
    await mkdir(dirname(path), { recursive: true });
    const lock = await OutputLock.acquire(path, where);
    const out = new ByteWriter(1 << 20);
    let file: AtomicFile | undefined;
    let part = 0;
    let rowsInFile = 0;
    let flushedSinceWrite = false;
    let failed = false;

    const startFile = async (): Promise<AtomicFile> => {
      part++;
      const next = await AtomicFile.create(Number.isFinite(maxRows) ? partPath(path, part) : path, gzip);
      rowsInFile = 0;
      if (header) {
        out.reset();
        writeHeader(out, names, style);
        await next.write(out.view());
      }
      return next;
    };

    const guard = async <T>(action: () => Promise<T>): Promise<T> => {
      try {
        return await action();
      } catch (error) {
        failed = true;
        throw error;
      }
    };

    return {
      write: (chunk: Chunk) => guard(async () => {
        flushedSinceWrite = false;
        let row = 0;
        while (row < chunk.length) {
          file ??= await startFile();
          const take = Math.min(chunk.length - row, maxRows - rowsInFile);
          out.reset();
          writeRows(out, chunk, row, row + take, kinds, style);
          await file.write(out.view());
          row += take;
          rowsInFile += take;
          if (rowsInFile >= maxRows) {
            // A full part is complete: it goes into place now, so parts never need a second pass.
            await file.commit();
            file = undefined;
          }
        }
        if (part === 0) file ??= await startFile();
      }),
      flush: () => guard(async () => {
        await file?.sync();
        flushedSinceWrite = true;
      }),
      async close() {
        try {
          const succeeded = !failed && flushedSinceWrite && !abortedByFailure(ctx.signal);
          // An empty input still yields a file (with only its header) when the run succeeds.
          if (succeeded && part === 0) file = await startFile();
          if (file !== undefined) {
            if (succeeded) await file.commit();
            else await file.discard();
          }
        } finally {
          file = undefined;
          await lock.release();
        }
      },
    };
  },
});

/**
 * At close the host aborts `ctx.signal` with FE_PLUGIN_CLOSED after a complete run, and with
 * FE_RUN_STOPPED or FE_RUN_FAILED after a stopped or failed one; any reason but the first (a test's
 * plain abort too) means the output is not complete and must not take the final name.
 */
function abortedByFailure(signal: AbortSignal): boolean {
  return signal.aborted && (signal.reason as { code?: unknown } | undefined)?.code !== 'FE_PLUGIN_CLOSED';
}

/** `out/big.csv.gz` part 3 → `out/big-00003.csv.gz`. */
function partPath(path: string, part: number): string {
  const name = basename(path);
  const dot = name.indexOf('.', 1);
  const stem = dot < 0 ? name : name.slice(0, dot);
  const extension = dot < 0 ? '' : name.slice(dot);
  return join(dirname(path), `${stem}-${String(part).padStart(5, '0')}${extension}`);
}
