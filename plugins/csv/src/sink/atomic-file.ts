import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FlowEngineError } from '@flowengine/sdk';

/**
 * A file that appears under its final name only when complete: bytes go to a hidden temporary
 * file in the same folder (so the rename cannot cross file systems), which is fsynced and renamed
 * over the final name on {@link AtomicFile.commit}. A crash or kill leaves only the temporary file.
 */
export class AtomicFile {
  private constructor(readonly path: string, readonly tempPath: string, private readonly handle: FileHandle, private readonly gzip: boolean) {}

  static async create(path: string, gzip: boolean): Promise<AtomicFile> {
    const tempPath = temporaryPathFor(path);
    try {
      const handle = await open(tempPath, 'wx');
      return new AtomicFile(path, tempPath, handle, gzip);
    } catch (cause) {
      throw writeFailed(`${tempPath}: could not create the temporary file for ${path}`, path, cause);
    }
  }

  /** Appends bytes (as one gzip member when gzipping: members concatenate into one valid stream). */
  async write(bytes: Uint8Array): Promise<void> {
    const data = this.gzip ? gzipSync(bytes) : bytes;
    try {
      let at = 0;
      while (at < data.length) at += (await this.handle.write(data, at, data.length - at)).bytesWritten;
    } catch (cause) {
      throw writeFailed(`${this.tempPath}: could not write`, this.path, cause);
    }
  }

  async sync(): Promise<void> {
    try {
      await this.handle.sync();
    } catch (cause) {
      throw writeFailed(`${this.tempPath}: could not fsync`, this.path, cause);
    }
  }

  /** fsync, close, rename over the final name, fsync the folder so the rename itself is durable. */
  async commit(): Promise<void> {
    await this.sync();
    await this.handle.close();
    try {
      await rename(this.tempPath, this.path);
    } catch (cause) {
      await unlink(this.tempPath).catch(() => {});
      throw writeFailed(`${this.path}: could not rename ${basename(this.tempPath)} into place`, this.path, cause);
    }
    await syncFolder(dirname(this.path));
  }

  /** Drops the temporary file; the final name is left as it was. */
  async discard(): Promise<void> {
    await this.handle.close().catch(() => {});
    await unlink(this.tempPath).catch(() => {});
  }
}

/** `.name.<pid>.<random>.tmp` beside `path`; the leading dot keeps it out of globs. */
function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic there.
  }
}

export function writeFailed(message: string, path: string, cause: unknown): FlowEngineError {
  const reason = cause instanceof Error ? `: ${cause.message}` : '';
  return new FlowEngineError('FE_CSV_WRITE_FAILED', `${message}${reason}; the final file was left untouched`, { details: { path }, cause });
}
