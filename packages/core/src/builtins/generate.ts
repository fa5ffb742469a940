import { ChunkBuilder, FlowEngineError, Schema, StringColumnBuilder, Type, defineSource, type Field } from '@flowengine/sdk';

const GenerateConfig = Type.Object({
  count: Type.Integer({ minimum: 0, description: 'Rows to generate.' }),
  seed: Type.Integer({ default: 42, description: 'Same seed, same rows.' }),
  sequence: Type.Optional(Type.String({ description: 'Field that counts 1, 2, 3… (default: the first integer field).' })),
  chunkSize: Type.Integer({ minimum: 1, default: 10_000, description: 'Rows per chunk.' }),
  schema: Type.Optional(Type.Object({ fields: Type.Array(Type.Unknown()) }, { description: 'Schema of the rows; or give `schema:` beside `config:`.' })),
}, { additionalProperties: false });

/** Strings are drawn from a fixed table so generating them costs a byte copy, not a String per row. */
const STRING_TABLE_SIZE = 4096;

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
    const strings = stringTable(seed);
    const builder = new ChunkBuilder(schema, { capacity: Math.min(chunkSize, Math.max(count, 1)) });
    let next = typeof ctx.resumeFrom === 'number' ? ctx.resumeFrom : 0;

    return {
      schema,
      async *read() {
        while (next < count && !ctx.signal.aborted) {
          const rows = Math.min(chunkSize, count - next);
          schema.fields.forEach((field, index) => fillColumn(builder, field, index, next, rows, seed, index === sequenceIndex, strings));
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

function stringTable(seed: number): Uint8Array[] {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const encoder = new TextEncoder();
  return Array.from({ length: STRING_TABLE_SIZE }, (_, i) => {
    let text = '';
    for (let c = 0; c < 12; c++) text += alphabet[mix(seed, 1000 + c, i) % alphabet.length];
    return encoder.encode(text);
  });
}

const EPOCH_2024_MS = 1_704_067_200_000;

function fillColumn(builder: ChunkBuilder, field: Field, index: number, first: number, rows: number, seed: number, isSequence: boolean, strings: readonly Uint8Array[]): void {
  switch (field.type) {
    case 'int32': {
      const values = new Int32Array(rows);
      for (let i = 0; i < rows; i++) values[i] = isSequence ? first + i + 1 : mix(seed, index, first + i) % 1_000_000;
      builder.column(index).appendColumn(values);
      return;
    }
    case 'int64':
    case 'timestamp': {
      const values = new BigInt64Array(rows);
      // Written as two little-endian int32 halves: no BigInt per value. All values here are below 2^53.
      const halves = new Int32Array(values.buffer);
      for (let i = 0; i < rows; i++) {
        const row = first + i;
        const value = isSequence ? row + 1 : field.type === 'timestamp' ? EPOCH_2024_MS + row * 1000 + (mix(seed, index, row) % 1000) : mix(seed, index, row);
        halves[2 * i] = value % 0x1_0000_0000 | 0;
        halves[2 * i + 1] = Math.floor(value / 0x1_0000_0000);
      }
      builder.column(index).appendColumn(values);
      return;
    }
    case 'float64': {
      const values = new Float64Array(rows);
      for (let i = 0; i < rows; i++) values[i] = isSequence ? first + i + 1 : (mix(seed, index, first + i) % 100_000) / 100;
      builder.column(index).appendColumn(values);
      return;
    }
    case 'bool': {
      const values: boolean[] = new Array<boolean>(rows);
      for (let i = 0; i < rows; i++) values[i] = (mix(seed, index, first + i) & 1) === 1;
      builder.column(index).appendColumn(values);
      return;
    }
    case 'string': {
      const column = builder.column(index);
      if (!(column instanceof StringColumnBuilder)) return;
      for (let i = 0; i < rows; i++) column.appendBytes(strings[mix(seed, index, first + i) % STRING_TABLE_SIZE] as Uint8Array);
      return;
    }
  }
}
