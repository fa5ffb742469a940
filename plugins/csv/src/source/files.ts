import { createReadStream, readdirSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { createGunzip } from 'node:zlib';
import { FlowEngineError } from '@flowengine/sdk';

const GLOB_CHARS = /[*?[{]/;

/**
 * The files `pattern` names, sorted, so a glob reads in a stable order. Supports `*`, `?`,
 * `[abc]`, `{a,b}` within a path segment and `**` for any depth (Node 20 has no fs.glob).
 */
export function expandPath(pattern: string, where: string): string[] {
  const absolute = resolve(pattern);
  if (!GLOB_CHARS.test(pattern)) {
    if (!isFile(absolute)) throw noFiles(pattern, where);
    return [absolute];
  }
  const segments = absolute.split(sep);
  const firstGlob = segments.findIndex((segment) => GLOB_CHARS.test(segment));
  const root = segments.slice(0, firstGlob).join(sep) || sep;
  const found: string[] = [];
  walk(root, segments.slice(firstGlob), found);
  if (found.length === 0) throw noFiles(pattern, where);
  return [...new Set(found)].sort();
}

function walk(dir: string, rest: string[], found: string[]): void {
  const [segment, ...tail] = rest;
  if (segment === undefined) return;
  if (segment === '**') {
    walk(dir, tail, found);
    for (const entry of entries(dir)) if (entry.isDirectory()) walk(join(dir, entry.name), rest, found);
    return;
  }
  if (!GLOB_CHARS.test(segment)) {
    const next = join(dir, segment);
    if (tail.length === 0) {
      if (isFile(next)) found.push(next);
    } else {
      walk(next, tail, found);
    }
    return;
  }
  const matcher = segmentRegExp(segment);
  for (const entry of entries(dir)) {
    if (!matcher.test(entry.name)) continue;
    const next = join(dir, entry.name);
    if (tail.length === 0) {
      if (entry.isFile()) found.push(next);
    } else if (entry.isDirectory()) {
      walk(next, tail, found);
    }
  }
}

function segmentRegExp(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 1);
      if (close < 0) source += '\\[';
      else {
        source += `[${segment.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else if (c === '{') {
      const close = segment.indexOf('}', i + 1);
      if (close < 0) source += '\\{';
      else {
        source += `(?:${segment.slice(i + 1, close).split(',').map(escapeRegExp).join('|')})`;
        i = close;
      }
    } else source += escapeRegExp(c);
  }
  // Like shells, a wildcard does not match a leading dot (temp files of a sink, for one).
  return new RegExp(`^(?!\\.)${source}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function entries(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  } catch {
    return [];
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function noFiles(pattern: string, where: string): FlowEngineError {
  return new FlowEngineError('FE_CSV_NO_FILES',
    `${where}: expected "path" to name a file or match files, found nothing for ${JSON.stringify(pattern)} (resolved from ${process.cwd()})`,
    { details: { path: pattern, cwd: process.cwd() } });
}

/**
 * The file's bytes as an async stream, decompressed when it ends in `.gz`. Offsets a source
 * reports for a gzip file count decompressed bytes. A plain file is read into `buffer`, the
 * caller's, over and over: a yielded array is valid only until the next step. (A fresh megabyte
 * per read counted against V8's external-memory budget and brought a full GC every few dozen
 * reads.) Gzip output comes in its own arrays of up to `buffer.length` bytes.
 */
export async function* readBytes(file: string, buffer: Uint8Array, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  if (file.endsWith('.gz')) {
    yield* readGzip(file, buffer.length, signal);
    return;
  }
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    for (;;) {
      if (signal?.aborted) return;
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } catch (cause) {
    if (signal?.aborted) return;
    throw readFailed(file, cause);
  } finally {
    await handle?.close();
  }
}

async function* readGzip(file: string, readSize: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const raw = createReadStream(file, { highWaterMark: readSize, signal });
  const stream = raw.pipe(createGunzip({ chunkSize: readSize }));
  raw.on('error', (error) => stream.destroy(error));
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } catch (cause) {
    if (signal?.aborted) return;
    throw readFailed(file, cause);
  } finally {
    stream.destroy();
    raw.destroy();
  }
}

function readFailed(file: string, cause: unknown): FlowEngineError {
  return new FlowEngineError('FE_CSV_READ_FAILED', `${file}: could not read${file.endsWith('.gz') ? ' or decompress' : ''}: ${(cause as Error).message}`,
    { details: { file }, cause });
}
