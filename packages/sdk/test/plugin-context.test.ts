// pluginContext from @flowengine/sdk/testing: a plugin's open() called on the test's thread with a
// context that behaves as the isolation host's.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FlowEngineError, Schema, Type, chunkFromRows, defineSource } from '@flowengine/sdk';
import { pluginContext } from '@flowengine/sdk/testing';

const schema = Schema.of([{ name: 'n', type: 'int32', nullable: false }]);
/** Yields 1..count; rejects even numbers through ctx.reject; logs once at open. */
const counter = defineSource({
  id: 'counter',
  config: Type.Object({ count: Type.Integer({ minimum: 1 }), label: Type.String({ default: 'n' }) }),
  open(ctx) {
    ctx.logger.info(`counting to ${ctx.config.count}`, { label: ctx.config.label });
    ctx.meter.createCounter('counted').add(ctx.config.count);
    return {
      schema,
      async *read() {
        const kept: number[][] = [];
        for (let n = 1; n <= ctx.config.count; n++) {
          if (n % 2 === 0) ctx.reject({ record: { n }, reason: `${n} is even`, code: 'FE_COUNTER_EVEN', location: `row ${n}` });
          else kept.push([n]);
        }
        yield { chunk: chunkFromRows(schema, kept), position: ctx.config.count };
      },
    };
  },
});

async function read(options: Parameters<typeof pluginContext>[2] = {}, config: unknown = { count: 5 }) {
  const { ctx, rejected, logs } = pluginContext(counter, config, options);
  const instance = await counter.open(ctx);
  const values: unknown[] = [];
  for await (const { chunk } of instance.read()) for (let r = 0; r < chunk.length; r++) values.push(chunk.columns[0]?.get(r));
  return { ctx, values, rejected, logs };
}

describe('pluginContext', () => {
  it('validates the config with the plugin\'s schema and fills its defaults', async () => {
    const { ctx, logs, values } = await read({}, { count: 1 });
    expect(values).toEqual([1]);
    expect(ctx.config).toEqual({ count: 1, label: 'n' });
    expect(ctx.instanceName).toBe('test');
    expect(existsSync(ctx.spillDir)).toBe(true);
    expect(ctx.spillDir).toBe(ctx.spillDir); // made once, on first read
    expect(logs).toEqual([{ level: 'info', message: 'counting to 1', fields: { label: 'n' } }]);
    const bad = (() => { try { pluginContext(counter, { count: 0 }, { instanceName: 'c1' }); } catch (error) { return error as FlowEngineError; } })();
    expect(bad?.code).toBe('FE_PLUGIN_CONFIG_INVALID');
    expect(bad?.message).toContain('instance "c1": invalid config: config.count');
  });

  it('under errors: fail, a rejected row throws its code as the host does', async () => {
    const error = await read({ instanceName: 'c2' }).then(() => undefined, (thrown: unknown) => thrown as FlowEngineError);
    expect(error).toBeInstanceOf(FlowEngineError);
    expect(error?.code).toBe('FE_COUNTER_EVEN');
    expect(error?.message).toBe('instance "c2": row 2: 2 is even');
  });

  it('under skip or deadLetter, rejected rows are collected and the rest delivered', async () => {
    for (const errors of ['skip', 'deadLetter'] as const) {
      const { values, rejected } = await read({ errors });
      expect(values).toEqual([1, 3, 5]);
      expect(rejected.map((row) => row.location)).toEqual(['row 2', 'row 4']);
    }
  });
});
