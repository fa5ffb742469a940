import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ChunkBuilder, Schema, chunkFromRows } from '@flowengine/sdk';
import type { Chunk, Column, Field } from '@flowengine/sdk';

// apache-arrow is a dev dependency only: this proves our layout IS Arrow's, buffer for buffer.

function arrowType(field: Field): arrow.DataType {
  switch (field.type) {
    case 'int32': return new arrow.Int32();
    case 'int64': return new arrow.Int64();
    case 'float64': return new arrow.Float64();
    case 'bool': return new arrow.Bool();
    case 'string': return new arrow.Utf8();
    case 'timestamp': return new arrow.Timestamp({ s: arrow.TimeUnit.SECOND, ms: arrow.TimeUnit.MILLISECOND, us: arrow.TimeUnit.MICROSECOND, ns: arrow.TimeUnit.NANOSECOND }[field.unit ?? 'ms']);
  }
}

function arrowData(field: Field, column: Column): arrow.Data {
  const common = { type: arrowType(field), length: column.length, nullCount: column.nullCount, nullBitmap: column.validity ?? undefined };
  if (column.type === 'string') return arrow.makeData({ ...common, type: new arrow.Utf8(), valueOffsets: column.offsets, data: column.bytes });
  return arrow.makeData({ ...common, data: column.values } as never);
}

function toRecordBatch(chunk: Chunk): arrow.RecordBatch {
  const fields = chunk.schema.fields.map((f) => new arrow.Field(f.name, arrowType(f), f.nullable));
  const children = chunk.schema.fields.map((f, i) => arrowData(f, chunk.columns[i]!));
  const struct = arrow.makeData({ type: new arrow.Struct(fields), length: chunk.length, nullCount: 0, children });
  return new arrow.RecordBatch(new arrow.Schema(fields), struct);
}

/** Arrow → chunk: whole-column appends straight from the vectors' buffers. */
function fromRecordBatch(schema: Schema, batch: arrow.RecordBatch): Chunk {
  const builder = new ChunkBuilder(schema, { capacity: batch.numRows });
  builder.appendColumns(batch.data.children.map((data) => ({
    length: data.length,
    validity: data.nullCount > 0 ? data.nullBitmap : null,
    values: data.values,
    offsets: data.valueOffsets,
    bytes: data.values,
  })));
  return builder.finish();
}

const schema = Schema.of([
  { name: 'id', type: 'int32', nullable: false },
  { name: 'big', type: 'int64' },
  { name: 'amount', type: 'float64' },
  { name: 'ok', type: 'bool' },
  { name: 'name', type: 'string' },
  { name: 'at', type: 'timestamp', unit: 'ms' },
]);

const rows = Array.from({ length: 37 }, (_, i) => [
  i,
  i % 5 === 0 ? null : i % 2 === 0 ? 2n ** 60n + BigInt(i) : -i * 1_000_003,
  i % 7 === 0 ? null : i / 3,
  i % 4 === 0 ? null : i % 3 === 0,
  i % 6 === 0 ? null : `名前-${i}-😀`.slice(0, 3 + (i % 9)),
  1_700_000_000_000 + i,
]);

describe('apache-arrow interop', () => {
  const chunk = chunkFromRows(schema, rows);
  const batch = toRecordBatch(chunk);

  it('wraps every column buffer without copying', () => {
    for (const data of batch.data.children) {
      expect(data.values.buffer).toBe(chunk.buffer);
      if (data.nullCount > 0) expect(data.nullBitmap!.buffer).toBe(chunk.buffer);
      if (data.valueOffsets !== undefined) expect(data.valueOffsets.buffer).toBe(chunk.buffer);
    }
  });

  it('reads the same values through Arrow', () => {
    expect(batch.numRows).toBe(rows.length);
    rows.forEach((row, r) => {
      schema.fields.forEach((field, c) => {
        const fromArrow = batch.getChildAt(c)!.get(r);
        const ours = chunk.columns[c]!.get(r);
        if (field.type === 'int64') expect(fromArrow === null ? null : BigInt(fromArrow)).toEqual(ours === null ? null : BigInt(ours as bigint));
        else expect(fromArrow).toEqual(ours);
      });
    });
  });

  it('comes back from a RecordBatch with equal values', () => {
    const back = fromRecordBatch(schema, batch);
    expect(back.length).toBe(chunk.length);
    for (let r = 0; r < chunk.length; r++) expect(back.row(r).toArray()).toEqual(chunk.row(r).toArray());
  });

  it('reads a RecordBatch built by Arrow itself', () => {
    const table = new arrow.Table({
      id: arrow.vectorFromArray([1, 2, 3], new arrow.Int32()),
      amount: arrow.vectorFromArray([0.5, -0, Number.NaN], new arrow.Float64()),
      name: arrow.vectorFromArray(['a', '', '𝄞'], new arrow.Utf8()),
    });
    const s = Schema.of([{ name: 'id', type: 'int32' }, { name: 'amount', type: 'float64' }, { name: 'name', type: 'string' }]);
    const back = fromRecordBatch(s, table.batches[0]!);
    expect(back.row(2).toArray()).toEqual([3, Number.NaN, '𝄞']);
    expect(Object.is(back.column('amount').get(1), -0)).toBe(true);
  });
});
