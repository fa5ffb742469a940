import { ChunkBuilder, FlowEngineError, Schema, Type, defineSource, type ColumnBuilder, type Field, type Int64ColumnBuilder } from '@flowengine/sdk';

const GenerateConfig = Type.Object({
  count: Type.Integer({ minimum: 0, description: 'Rows to generate.' }),
  seed: Type.Integer({ default: 42, description: 'Same seed, same rows.' }),
  sequence: Type.Optional(Type.String({ description: 'Field that counts 1, 2, 3… (default: the first integer field).' })),
  chunkSize: Type.Integer({ minimum: 1, default: 10_000, description: 'Rows per chunk.' }),
  schema: Type.Optional(Type.Object({ fields: Type.Array(Type.Unknown()) }, { description: 'Schema of the rows; or give `schema:` beside `config:`.' })),
}, { additionalProperties: false });

/**
 * Non-sequence values repeat with this period (rows): each field's values are computed once into a
 * pool, and a chunk is one or two slices of it copied at memory speed. A bench source must not be
 * the bottleneck of the pipeline it measures.
 */
const POOL_ROWS = 1 << 16;
const STRING_LENGTH = 12;

/**
 * `generate`: a deterministic source for demos, tests and the bench. Every value is a pure
 * function of (seed, field, row number), so a resumed run (`resumeFrom`) yields exactly the rows
 * the first one would have, and chunking does not change the data.
 */
export default defineSource({
  id: 'generate',
  config: GenerateConfig,
  open(ctx) {
    const { count, seed, chunkSize } = ctx.config;
    const schema = ctx.config.schema === undefined ? ctx.declaredSchema : Schema.fromDefinition(ctx.config.schema, `${ctx.instanceName}.config.schema`);
    if (schema === undefined) {
      throw new FlowEngineError('FE_GENERATE_NO_SCHEMA', `${ctx.instanceName}: generate needs a schema; expected \`schema: { fields: [...] }\` beside its config, found none`);
    }
    const sequenceIndex = sequenceField(schema, ctx.config.sequence, ctx.instanceName);
    const capacity = Math.min(chunkSize, Math.max(count, 1));
    const builder = new ChunkBuilder(schema, { capacity });
    // Per field, once: what appends rows [first, first + rows) to its column builder.
    const fillers = schema.fields.map((field, index) => (index === sequenceIndex
      ? sequenceFiller(builder.column(index), field, capacity)
      : poolFiller(builder.column(index), field, valuePool(field, index, seed))));
    let next = typeof ctx.resumeFrom === 'number' ? ctx.resumeFrom : 0;

    return {
      schema,
      async *read() {
        while (next < count && !ctx.signal.aborted) {
          const rows = Math.min(chunkSize, count - next);
          for (const fill of fillers) fill(next, rows);
          next += rows;
          yield { chunk: builder.finish(), position: next };
        }
      },
    };
  },
});

function sequenceField(schema: Schema, name: string | undefined, instance: string): number {
  if (name !== undefined) {
    const index = schema.indexOf(name);
    const field = schema.fields[index];
    if (field === undefined || !['int32', 'int64', 'timestamp', 'float64'].includes(field.type)) {
      throw new FlowEngineError('FE_GENERATE_BAD_SEQUENCE', `${instance}: sequence "${name}": expected a numeric field of the schema, found ${field === undefined ? 'no such field' : field.type}`);
    }
    return index;
  }
  return schema.fields.findIndex((field) => field.type === 'int32' || field.type === 'int64');
}

/** A 32-bit mix of (seed, field, row): stateless, so any row can be produced on its own. */
function mix(seed: number, field: number, row: number): number {
  let h = (seed ^ Math.imul(field + 1, 0x9e3779b1) ^ Math.imul(row, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

const EPOCH_2024_MS = 1_704_067_200_000;

/** One period of a field's pseudo-random values, in the column's own layout. */
type Pool =
  | { kind: 'int32'; values: Int32Array }
  | { kind: 'int64'; values: BigInt64Array }
  | { kind: 'float64'; values: Float64Array }
  | { kind: 'bool'; values: boolean[] }
  | { kind: 'string'; offsets: Int32Array; bytes: Uint8Array };

function valuePool(field: Field, index: number, seed: number): Pool {
  switch (field.type) {
    case 'int32': {
      const values = new Int32Array(POOL_ROWS);
      for (let k = 0; k < POOL_ROWS; k++) values[k] = mix(seed, index, k) % 1_000_000;
      return { kind: 'int32', values };
    }
    case 'int64':
    case 'timestamp': {
      const values = new BigInt64Array(POOL_ROWS);
      for (let k = 0; k < POOL_ROWS; k++) values[k] = BigInt(field.type === 'timestamp' ? mix(seed, index, k) % 1000 : mix(seed, index, k));
      return { kind: 'int64', values };
    }
    case 'float64': {
      const values = new Float64Array(POOL_ROWS);
      for (let k = 0; k < POOL_ROWS; k++) values[k] = (mix(seed, index, k) % 100_000) / 100;
      return { kind: 'float64', values };
    }
    case 'bool':
      return { kind: 'bool', values: Array.from({ length: POOL_ROWS }, (_, k) => (mix(seed, index, k) & 1) === 1) };
    case 'string': {
      const alphabet = new TextEncoder().encode('abcdefghijklmnopqrstuvwxyz0123456789');
      const bytes = new Uint8Array(POOL_ROWS * STRING_LENGTH);
      const offsets = new Int32Array(POOL_ROWS + 1);
      for (let k = 0; k < POOL_ROWS; k++) {
        for (let c = 0; c < STRING_LENGTH; c++) bytes[k * STRING_LENGTH + c] = alphabet[mix(seed, index * 64 + c, k) % alphabet.length] as number;
        offsets[k + 1] = (k + 1) * STRING_LENGTH;
      }
      return { kind: 'string', offsets, bytes };
    }
  }
}

type Filler = (first: number, rows: number) => void;

/** Rows of a field from its pool: one or two slices (wrapping at the period) appended as columns. */
function poolFiller(column: ColumnBuilder, field: Field, pool: Pool): Filler {
  return (first, rows) => {
    let row = first;
    let left = rows;
    while (left > 0) {
      const at = row % POOL_ROWS;
      const n = Math.min(left, POOL_ROWS - at);
      switch (pool.kind) {
        case 'string':
          column.appendColumn({ offsets: pool.offsets.subarray(at, at + n + 1), bytes: pool.bytes, length: n });
          break;
        case 'bool':
          // Bits cannot be sliced at any row: append value by value, without a per-chunk copy.
          for (let k = at; k < at + n; k++) column.append(pool.values[k]);
          break;
        default:
          column.appendColumn(pool.values.subarray(at, at + n));
      }
      row += n;
      left -= n;
    }
    // Timestamps move forward one second a row (with the pool's sub-second jitter), like real events.
    if (field.type === 'timestamp') addTimeBase((column as Int64ColumnBuilder).values, column.length - rows, first, rows);
  };
}

function addTimeBase(values: BigInt64Array, start: number, first: number, rows: number): void {
  // Two little-endian int32 halves per value: no BigInt per row. All values stay below 2^53.
  const halves = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  for (let i = 0; i < rows; i++) {
    const value = EPOCH_2024_MS + (first + i) * 1000 + halves[2 * (start + i)]!;
    halves[2 * (start + i)] = value % 0x1_0000_0000 | 0;
    halves[2 * (start + i) + 1] = Math.floor(value / 0x1_0000_0000);
  }
}

/** The sequence 1, 2, 3…, written into one scratch array (sized for a chunk, kept) and appended. */
function sequenceFiller(column: ColumnBuilder, field: Field, capacity: number): Filler {
  if (field.type === 'int32' || field.type === 'float64') {
    const scratch = field.type === 'int32' ? new Int32Array(capacity) : new Float64Array(capacity);
    return (first, rows) => {
      for (let i = 0; i < rows; i++) scratch[i] = first + i + 1;
      column.appendColumn(scratch.subarray(0, rows));
    };
  }
  const scratch = new BigInt64Array(capacity);
  const halves = new Int32Array(scratch.buffer);
  return (first, rows) => {
    for (let i = 0; i < rows; i++) {
      const value = first + i + 1;
      halves[2 * i] = value % 0x1_0000_0000 | 0;
      halves[2 * i + 1] = Math.floor(value / 0x1_0000_0000);
    }
    column.appendColumn(scratch.subarray(0, rows));
  };
}
