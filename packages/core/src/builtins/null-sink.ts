import { Type, defineSink } from '@flowengine/sdk';

/** `null-sink`: counts rows and discards them; for benches and for pipelines run for their side effects. */
export default defineSink({
  id: 'null-sink',
  config: Type.Object({}, { additionalProperties: false }),
  open(ctx) {
    const rows = ctx.meter.createCounter('rows_discarded');
    return {
      write(chunk) {
        rows.add(chunk.length);
        chunk.release();
      },
      flush() {},
    };
  },
});
