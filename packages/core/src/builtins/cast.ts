import { ChunkBuilder, FIELD_TYPES, Schema, Type, defineTransform, type FieldType, type FieldInput } from '@flowengine/sdk';
import { CastFailure, castValue } from './cast-value.js';

const CastConfig = Type.Object({
  fields: Type.Record(Type.String(), Type.Union(FIELD_TYPES.map((type) => Type.Literal(type))), {
    description: 'Column name → new type, e.g. `{ amount: float64, id: string }`.',
  }),
}, { additionalProperties: false });

/**
 * `cast`: changes column types. Numbers widen and narrow (narrowing checks range), strings parse
 * strictly (`"12a"` is not 12), anything formats to string. A value that does not convert is a row
 * error under the instance's `errors:` policy, with the row number and the value.
 */
export default defineTransform({
  id: 'cast',
  config: CastConfig,
  stateless: true,
  outputSchema: (inputSchema, config) => castSchema(inputSchema, config.fields),
  open(ctx, inputSchema) {
    const output = castSchema(inputSchema, ctx.config.fields);
    // Only the named columns are converted; the others pass through as they are.
    const casts = output.fields.flatMap((field, i) => (Object.hasOwn(ctx.config.fields, field.name) ? [{ index: i, target: field.type, name: field.name }] : []));
    const builder = new ChunkBuilder(output);
    const values: unknown[] = new Array<unknown>(output.length);
    let rowNumber = 0;
    return {
      transform(chunk) {
        for (const row of chunk.rows()) {
          rowNumber += 1;
          let failure: string | undefined;
          for (let i = 0; i < values.length; i++) values[i] = row.get(i);
          for (const { index, target, name } of casts) {
            const value = castValue(values[index], target);
            if (value instanceof CastFailure) {
              failure = `column "${name}": ${value.reason}`;
              break;
            }
            values[index] = value;
          }
          if (failure !== undefined) {
            ctx.reject({ record: row.toObject(), reason: failure, code: 'FE_CAST_INVALID', location: `row ${rowNumber}` });
            continue;
          }
          builder.appendRow(values);
        }
        return builder.finish();
      },
    };
  },
});

function castSchema(inputSchema: Schema, fields: Readonly<Record<string, FieldType>>): Schema {
  for (const name of Object.keys(fields)) inputSchema.fieldIndex(name);
  return Schema.of(inputSchema.fields.map((field): FieldInput => {
    const type = fields[field.name];
    if (type === undefined) return field;
    return type === 'timestamp' ? { name: field.name, type, nullable: field.nullable, unit: field.unit ?? 'ms' } : { name: field.name, type, nullable: field.nullable };
  }));
}
