import { describe, expectTypeOf, it } from 'vitest';
import { Type, defineSink, defineSource, defineTransform } from '@flowengine/sdk';
import type { Chunk, PluginContext, Schema } from '@flowengine/sdk';

declare const schema: Schema;

describe('config types are inferred from the TypeBox schema', () => {
  it('source', () => {
    const source = defineSource({
      id: 'numbers-source',
      config: Type.Object({ count: Type.Integer(), label: Type.Optional(Type.String()) }),
      open(ctx) {
        expectTypeOf(ctx.config).toEqualTypeOf<{ count: number; label?: string }>();
        expectTypeOf(ctx.signal).toEqualTypeOf<AbortSignal>();
        return { schema, async *read() { yield { chunk: undefined as unknown as Chunk, position: ctx.config.count }; } };
      },
    });
    expectTypeOf(source.kind).toEqualTypeOf<'source'>();
    expectTypeOf(source.id).toEqualTypeOf<string>();
  });

  it('transform: outputSchema and transform see the same config', () => {
    defineTransform({
      id: 'filter',
      config: Type.Object({ where: Type.String() }),
      outputSchema(input, config) {
        expectTypeOf(config).toEqualTypeOf<{ where: string }>();
        return input;
      },
      open(ctx, inputSchema) {
        expectTypeOf(inputSchema).toEqualTypeOf<Schema>();
        return {
          transform(chunk, context: PluginContext<{ where: string }>) {
            expectTypeOf(context.config.where).toBeString();
            return [chunk];
          },
        };
      },
    });
  });

  it('sink', () => {
    defineSink({
      id: 'csv-sink',
      config: Type.Object({ path: Type.String() }),
      open(ctx) {
        expectTypeOf(ctx.config.path).toBeString();
        // @ts-expect-error not in the config schema
        void ctx.config.missing;
        return { write() {}, flush() {} };
      },
    });
  });
});
