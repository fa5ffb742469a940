import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { once } from 'node:events';

/** One rejected row as the dead-letter file keeps it: enough to find and replay the original. */
export interface DeadLetter {
  readonly stage: string;
  readonly record: unknown;
  readonly reason: string;
  readonly code: string;
  readonly location?: string | undefined;
}

/**
 * Appends dead letters to a JSONL file, one object per line. The file is opened on the first
 * letter, so a run without rejected rows leaves no empty file behind.
 */
export class DeadLetterWriter {
  #stream: WriteStream | undefined;

  constructor(readonly path: string, private readonly redact: (text: string) => string = (text) => text) {}

  write(letter: DeadLetter): void {
    if (this.#stream === undefined) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.#stream = createWriteStream(this.path, { flags: 'a' });
    }
    const line = JSON.stringify({ time: new Date().toISOString(), ...letter }, bigintAsString);
    this.#stream.write(`${this.redact(line)}\n`);
  }

  async close(): Promise<void> {
    const stream = this.#stream;
    if (stream === undefined) return;
    this.#stream = undefined;
    stream.end();
    await once(stream, 'close');
  }
}

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
