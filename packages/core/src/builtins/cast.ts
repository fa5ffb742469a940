import { ChunkBuilder, FIELD_TYPES, Schema, Type, defineTransform, type FieldType, type FieldInput } from '@flowengine/sdk';
import { castValue } from './cast-value.js';

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
    const targets: FieldType[] = output.fields.map((field) => field.type);
    const builder = new ChunkBuilder(output);
    const values: unknown[] = new Array<unknown>(targets.length);
    let rowNumber = 0;
    return {
      transform(chunk) {
        for (const row of chunk.rows()) {
          rowNumber += 1;
          let failure: string | undefined;
          for (let i = 0; i < targets.length && failure === undefined; i++) {
            const result = castValue(row.get(i), targets[i] as FieldType);
            if (result.ok) values[i] = result.value;
            else failure = `column "${output.fields[i]?.name}": ${result.reason}`;
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
