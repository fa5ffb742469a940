import { ALIGNMENT, Chunk, FlowEngineError, Schema, Type, align, clearPadding, defineSource, fixedDataBytes, threadBufferPool, type ColumnLayout, type Field } from '@flowengine/sdk';

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
    // Per field, once: what writes rows [first, first + rows) of it into a chunk.
    const writers = schema.fields.map((field, index) => (index === sequenceIndex
      ? sequenceWriter(field)
      : poolWriter(field, valuePool(field, index, seed))));
    let next = typeof ctx.resumeFrom === 'number' ? ctx.resumeFrom : 0;

    return {
      schema,
      async *read() {
        while (next < count && !ctx.signal.aborted) {
          const rows = Math.min(chunkSize, count - next);
          const chunk = generateChunk(schema, writers, next, rows);
          next += rows;
          yield { chunk, position: next };
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
  | { kind: 'string'; bytes: Uint8Array };

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
      for (let k = 0; k < POOL_ROWS; k++) {
        for (let c = 0; c < STRING_LENGTH; c++) bytes[k * STRING_LENGTH + c] = alphabet[mix(seed, index * 64 + c, k) % alphabet.length] as number;
      }
      return { kind: 'string', bytes };
    }
  }
}

/**
 * Writes rows [first, first + rows) of one field straight into its regions of a chunk's one buffer:
 * generate lays out its chunks itself (it knows every size in advance and makes no nulls), so each
 * value is copied once instead of into a ChunkBuilder and again when the builder packs.
 */
interface ColumnWriter {
  write(buffer: ArrayBuffer, at: ColumnLayout, first: number, rows: number): void;
}

/** Calls `copy(at, n, done)` for each run of pool rows that [first, first + rows) covers (one or two: it wraps). */
function forEachPoolSlice(first: number, rows: number, copy: (at: number, n: number, done: number) => void): void {
  let done = 0;
  while (done < rows) {
    const at = (first + done) % POOL_ROWS;
    const n = Math.min(rows - done, POOL_ROWS - at);
    copy(at, n, done);
    done += n;
  }
}

function poolWriter(field: Field, pool: Pool): ColumnWriter {
  switch (pool.kind) {
    case 'int32': case 'float64': case 'int64': {
      // Fixed-width values are copied as bytes: one or two slices of the pool's buffer.
      const width = pool.values.BYTES_PER_ELEMENT;
      const bytes = new Uint8Array(pool.values.buffer);
      return {
        write: (buffer, { data }, first, rows) => {
          const out = new Uint8Array(buffer, data, rows * width);
          forEachPoolSlice(first, rows, (at, n, done) => out.set(bytes.subarray(at * width, (at + n) * width), done * width));
          // Timestamps move forward one second a row (with the pool's sub-second jitter), like real events.
          if (field.type === 'timestamp') addTimeBase(new BigInt64Array(buffer, data, rows), first, rows);
        },
      };
    }
    case 'bool': return {
      write: (buffer, { data }, first, rows) => {
        const bits = new Uint8Array(buffer, data, (rows + 7) >> 3).fill(0); // a pooled buffer holds old bits
        for (let i = 0; i < rows; i++) if (pool.values[(first + i) % POOL_ROWS] === true) bits[i >> 3] = (bits[i >> 3] as number) | (1 << (i & 7));
      },
    };
    case 'string': return {
      write: (buffer, { offsets, data }, first, rows) => {
        const ends = new Int32Array(buffer, offsets, rows + 1);
        for (let i = 0; i <= rows; i++) ends[i] = i * STRING_LENGTH;
        const bytes = new Uint8Array(buffer, data, rows * STRING_LENGTH);
        forEachPoolSlice(first, rows, (at, n, done) => bytes.set(pool.bytes.subarray(at * STRING_LENGTH, (at + n) * STRING_LENGTH), done * STRING_LENGTH));
      },
    };
  }
}

function addTimeBase(values: BigInt64Array, first: number, rows: number): void {
  const halves = new Int32Array(values.buffer, values.byteOffset, rows * 2);
  for (let i = 0; i < rows; i++) setInt64(halves, i, EPOCH_2024_MS + (first + i) * 1000 + halves[2 * i]!);
}

/**
 * Value `i` of an int64 column seen as little-endian int32 halves: no BigInt per row (every value
 * here stays below 2^53). Floor-and-subtract, not `value % 2^32`: a float modulo is 4x slower.
 */
function setInt64(halves: Int32Array, i: number, value: number): void {
  const high = Math.floor(value / 0x1_0000_0000);
  halves[2 * i] = (value - high * 0x1_0000_0000) | 0;
  halves[2 * i + 1] = high;
}

/** The sequence 1, 2, 3… (row `first` holds first + 1). */
function sequenceWriter(field: Field): ColumnWriter {
  const wide = field.type === 'int64' || field.type === 'timestamp';
  return {
    write: (buffer, { data }, first, rows) => {
      if (!wide) {
        const out = field.type === 'int32' ? new Int32Array(buffer, data, rows) : new Float64Array(buffer, data, rows);
        for (let i = 0; i < rows; i++) out[i] = first + i + 1;
        return;
      }
      const halves = new Int32Array(buffer, data, rows * 2);
      for (let i = 0; i < rows; i++) setInt64(halves, i, first + i + 1);
    },
  };
}

/** One chunk of rows [first, first + rows): the regions laid out in schema order, each written once. */
function generateChunk(schema: Schema, writers: readonly ColumnWriter[], first: number, rows: number): Chunk {
  let size = 0;
  const layout: ColumnLayout[] = schema.fields.map(({ type }) => {
    let offsets = -1;
    if (type === 'string') {
      offsets = size;
      size = align(size + (rows + 1) * 4);
    }
    const data = size;
    const dataBytes = type === 'string' ? rows * STRING_LENGTH : fixedDataBytes(type, rows);
    size = align(size + dataBytes);
    return { nullCount: 0, validity: -1, offsets, data, dataBytes };
  });
  // Never a zero-length buffer: a transferred chunk then always shows as detached (byteLength 0).
  // From this thread's pool: an inline sink that releases its chunks hands the buffers back.
  const buffer = threadBufferPool.acquire(Math.max(size, ALIGNMENT));
  const target = new Uint8Array(buffer);
  writers.forEach((writer, i) => {
    const at = layout[i] as ColumnLayout;
    writer.write(buffer, at, first, rows);
    clearPadding(target, at, rows);
  });
  return new Chunk(schema, rows, buffer, size, layout, threadBufferPool);
}
