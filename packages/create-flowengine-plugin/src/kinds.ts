/** The three plugin kinds a scaffold can start from. */
export const PLUGIN_KINDS = ['source', 'transform', 'sink'] as const;

export type PluginKind = (typeof PLUGIN_KINDS)[number];

export function isPluginKind(value: string): value is PluginKind {
  return (PLUGIN_KINDS as readonly string[]).includes(value);
}
