import { mkdir, mkdtemp, open, rm, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { FlowEngineError } from '@flowengine/sdk';
import { FRAME_HEADER_BYTES, checkFrame, encodeFrame } from './spill-frame.js';

interface SegmentFile {
  readonly path: string;
  readonly handle: FileHandle;
}

interface Segment {
  readonly file: Promise<SegmentFile>;
  /** Bytes reserved so far: the offset of the next frame. */
  size: number;
  /** Frames reserved and not yet released; the file goes once this is 0 and nothing more will be written. */
  live: number;
}

/** Where one spilled item lives. */
export interface SpillRecord {
  readonly segment: Segment;
  readonly offset: number;
  readonly payloadBytes: number;
  /**
   * Settles when the frame is on disk: undefined on success, the `FE_SPILL_WRITE` error otherwise.
   * Never rejects, so readers and writers can both await it.
   */
  readonly written: Promise<FlowEngineError | undefined>;
}

/**
 * Append-only segment files of framed, checksummed payloads, read back by position.
 *
 * Offsets are reserved synchronously in `append`, so writes may be in flight concurrently and order
 * is still the order of `append` calls. Segments roll over at `segmentBytes`; a segment is deleted
 * as soon as every frame in it has been released, so consumed data does not pile up on disk.
 */
export class SpillStore {
  readonly #root: string;
  readonly #segmentBytes: number;
  readonly #label: string;
  #directory: Promise<string> | undefined;
  #current: Segment | undefined;
  #nextSegment = 1;
  readonly #segments = new Set<Segment>();
  readonly #inflight = new Set<Promise<unknown>>();
  #disposed: Promise<void> | undefined;

  constructor(root: string, segmentBytes: number, label: string) {
    this.#root = root;
    this.#segmentBytes = segmentBytes;
    this.#label = label;
  }

  /** Reserves space for `payload` and starts writing it. */
  append(payload: Uint8Array): SpillRecord {
    let segment = this.#current;
    // A full segment is left to release(), which deletes it once its last frame is consumed.
    if (segment === undefined || segment.size >= this.#segmentBytes) segment = this.#openSegment();
    const frame = encodeFrame(payload);
    const offset = segment.size;
    segment.size += frame.byteLength;
    segment.live++;
    const written = this.#track(this.#write(segment, frame, offset));
    return { segment, offset, payloadBytes: payload.byteLength, written };
  }

  /** Reads a frame back; the payload owns its ArrayBuffer (byteOffset 0). */
  async read(record: SpillRecord): Promise<Uint8Array<ArrayBuffer>> {
    const { path, handle } = await record.segment.file;
    const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
    const payload = new Uint8Array(record.payloadBytes);
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.readv([header, payload], record.offset));
    } catch (cause) {
      throw new FlowEngineError('FE_SPILL_CORRUPT',
        `channel "${this.#label}": cannot read spilled frame in ${path} at offset ${record.offset}: ${describe(cause)}`,
        { details: { path, offset: record.offset }, cause });
    }
    const problem = checkFrame(header, payload, bytesRead);
    if (problem !== undefined) {
      throw new FlowEngineError('FE_SPILL_CORRUPT',
        `channel "${this.#label}": corrupted spill frame in ${path} at offset ${record.offset}: ${problem}`,
        { details: { path, offset: record.offset } });
    }
    return payload;
  }

  /** Marks a frame consumed (or its failed write abandoned); deletes its segment when empty. */
  release(record: SpillRecord): void {
    const segment = record.segment;
    segment.live--;
    if (segment.live > 0) return;
    // An empty current segment is dropped too, so an idle channel holds no files.
    if (segment === this.#current) this.#current = undefined;
    this.#delete(segment);
  }

  /** Waits for writes in flight, closes every file and removes the channel's directory. Idempotent. */
  dispose(): Promise<void> {
    this.#disposed ??= this.#dispose();
    return this.#disposed;
  }

  /** The channel's own spill directory once created (tests and diagnostics). */
  directory(): Promise<string> | undefined {
    return this.#directory;
  }

  async #dispose(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
    for (const segment of this.#segments) {
      const file = await segment.file.catch(() => undefined);
      await file?.handle.close().catch(() => undefined);
    }
    this.#segments.clear();
    this.#current = undefined;
    const directory = await this.#directory?.catch(() => undefined);
    if (directory === undefined) return;
    try {
      await rm(directory, { recursive: true, force: true });
    } catch (cause) {
      throw new FlowEngineError('FE_SPILL_CLEANUP',
        `channel "${this.#label}": cannot remove spill directory ${directory}: ${describe(cause)}; remove it by hand`,
        { details: { path: directory }, cause });
    }
  }

  #openSegment(): Segment {
    const name = `segment-${String(this.#nextSegment++).padStart(6, '0')}.spill`;
    const file = this.#ensureDirectory().then(async (directory) => {
      const path = join(directory, name);
      try {
        return { path, handle: await open(path, 'w+') };
      } catch (cause) {
        throw writeError(this.#label, path, cause);
      }
    });
    const segment: Segment = { file, size: 0, live: 0 };
    // Without a file the segment cannot take writes; the next append tries a fresh one.
    file.catch(() => {
      if (this.#current === segment) this.#current = undefined;
    });
    this.#current = segment;
    this.#segments.add(segment);
    return segment;
  }

  #ensureDirectory(): Promise<string> {
    if (this.#directory !== undefined) return this.#directory;
    const prefix = join(this.#root, `${this.#label.replace(/[^A-Za-z0-9_.-]+/g, '_')}-`);
    const created = (async () => {
      try {
        await mkdir(this.#root, { recursive: true });
        return await mkdtemp(prefix);
      } catch (cause) {
        throw writeError(this.#label, this.#root, cause);
      }
    })();
    created.catch(() => {
      if (this.#directory === created) this.#directory = undefined;
    });
    this.#directory = created;
    return created;
  }

  async #write(segment: Segment, frame: Buffer, offset: number): Promise<FlowEngineError | undefined> {
    let file: SegmentFile;
    try {
      file = await segment.file;
    } catch (error) {
      return error as FlowEngineError;
    }
    try {
      // A positional write may be short (a full disk mid-frame); finish it or fail.
      for (let done = 0; done < frame.byteLength;) {
        const { bytesWritten } = await file.handle.write(frame, done, frame.byteLength - done, offset + done);
        done += bytesWritten;
      }
      return undefined;
    } catch (cause) {
      return writeError(this.#label, file.path, cause);
    }
  }

  #delete(segment: Segment): void {
    this.#segments.delete(segment);
    this.#track(segment.file.then(async ({ path, handle }) => {
      await handle.close();
      await unlink(path);
    }).catch(() => {
      // A file that cannot be removed now is removed with the whole directory by dispose().
    }));
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inflight.add(promise);
    const forget = (): void => {
      this.#inflight.delete(promise);
    };
    promise.then(forget, forget);
    return promise;
  }
}

function writeError(label: string, path: string, cause: unknown): FlowEngineError {
  const code = (cause as { code?: unknown }).code;
  const hint = code === 'ENOSPC'
    ? 'free disk space or point settings.isolation.spilloverPath at a larger disk'
    : 'make the spill directory writable or point settings.isolation.spilloverPath elsewhere';
  return new FlowEngineError('FE_SPILL_WRITE',
    `channel "${label}": cannot spill to ${path}: ${describe(cause)}; the chunk was not accepted; ${hint}`,
    { details: { path, errno: typeof code === 'string' ? code : undefined }, cause });
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
