import type { Static, TSchema } from 'typebox';
import { Value } from '../vendor/typebox.js';
import { FlowEngineError } from '../errors/flowengine-error.js';

/**
 * Checks a plugin instance's config against its TypeBox schema and returns it with the schema's
 * defaults filled in. Every problem is reported at once (FE_PLUGIN_CONFIG_INVALID), each with its
 * JSON pointer, so a user fixes the config in one pass. `where` names the instance, e.g.
 * `pipeline.yml:12:7 (instance "source")`.
 */
export function validateConfig<C extends TSchema>(schema: C, config: unknown, where: string): Static<C> {
  const withDefaults = Value.Default(schema, Value.Clone(config ?? {}));
  const errors = Value.Errors(schema, withDefaults);
  if (errors.length === 0) return withDefaults as Static<C>;
  const problems = errors
    .filter((error) => error.keyword !== 'boolean')
    .map((error) => `${error.instancePath === '' ? '(config)' : `config${error.instancePath.replaceAll('/', '.')}`}: ${error.message}`);
  throw new FlowEngineError('FE_PLUGIN_CONFIG_INVALID', `${where}: invalid config: ${problems.join('; ')}`, { details: { problems } });
}
