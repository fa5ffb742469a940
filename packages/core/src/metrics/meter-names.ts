/** Meter of the engine's own process (GC pauses), beside the per-instance meters. */
export const ENGINE_METER = 'flowengine.engine';

/** The meter of one instance: the engine's per-stage metrics and the plugin's own (`ctx.meter`) share it. */
export function instanceMeterName(instance: string): string {
  return `flowengine.${instance}`;
}
