import type { Chunk } from '@flowengine/sdk';
import { encodeChunk, type EncodedRows } from './encoder.js';

/** The rows of one `write` call, kept encoded until a flush commits them. */
export interface Segment extends EncodedRows {
  /** 1-based number of the write call, for row locations. */
  readonly write: number;
  /** 0-based index of the first row among all rows this instance received. */
  readonly firstRow: number;
  /** Rows handed to the errors policy: never loaded again, even when a retry replays the batch. */
  readonly rejected: Set<number>;
  /** The chunk the rows came from, kept when `data` is binary: a dead-lettered row is shown as its COPY text. */
  readonly chunk: Chunk | undefined;
}

/** One row of a segment. */
export interface RowRef {
  readonly segment: Segment;
  readonly index: number;
}

export function rowStart(segment: Segment, index: number): number {
  return index === 0 ? 0 : segment.rowEnds[index - 1] as number;
}

/** Every row of the segments that has not been rejected, in order. */
export function liveRows(segments: readonly Segment[]): RowRef[] {
  const rows: RowRef[] = [];
  for (const segment of segments) {
    for (let i = 0; i < segment.rowEnds.length; i++) if (!segment.rejected.has(i)) rows.push({ segment, index: i });
  }
  return rows;
}

/** The COPY data of some rows, as buffers (whole segments are sent without copying). */
export function rowsData(rows: readonly RowRef[]): Buffer[] {
  const parts: Buffer[] = [];
  let i = 0;
  while (i < rows.length) {
    const { segment, index } = rows[i] as RowRef;
    let j = i + 1;
    while (j < rows.length && (rows[j] as RowRef).segment === segment && (rows[j] as RowRef).index === (rows[j - 1] as RowRef).index + 1) j++;
    const last = (rows[j - 1] as RowRef).index;
    parts.push(segment.data.subarray(rowStart(segment, index), segment.rowEnds[last] as number));
    i = j;
  }
  return parts;
}

/** `write 3, row 17 (input row 20017)`: where a row came from, 1-based. */
export function rowLocation(row: RowRef): string {
  return `write ${row.segment.write}, row ${row.index + 1} (input row ${row.segment.firstRow + row.index + 1})`;
}

/** A row as one line of COPY text, without its newline. */
function rowText({ segment, index }: RowRef): string {
  if (segment.chunk === undefined) return segment.data.toString('utf8', rowStart(segment, index), (segment.rowEnds[index] as number) - 1);
  const text = encodeChunk(segment.chunk, index, index + 1).data;
  return text.toString('utf8', 0, text.length - 1);
}

/** A row's values as text keyed by column, for dead letters (`\N` becomes null). */
export function rowRecord(row: RowRef, columns: readonly string[]): Record<string, string | null> {
  const line = rowText(row);
  const fields = line.split('\t');
  const record: Record<string, string | null> = {};
  columns.forEach((name, i) => {
    const field = fields[i] ?? '';
    record[name] = field === '\\N' ? null : field.replace(/\\(.)/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c));
  });
  return record;
}
