/** Environment variables whose values are secret by their name. */
export const SECRET_ENV_NAME = /PASS|SECRET|TOKEN|KEY|CREDENTIAL/i;

export interface Substitution {
  readonly value: string;
  /** Variables read (set or defaulted). */
  readonly used: readonly string[];
  /** Unset variables without a default, with the offset of their `${` in the input. */
  readonly missing: ReadonlyArray<{ readonly name: string; readonly offset: number }>;
  /** True when the whole input was one `${...}` reference (so the value may be re-typed). */
  readonly whole: boolean;
}

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in one parsed value. `:-` applies when the variable is
 * unset or empty, as in the shell. `$${` stands for a literal `${`. Anything else is left as written.
 */
export function substituteEnv(text: string, env: Readonly<Record<string, string | undefined>>): Substitution {
  const used: string[] = [];
  const missing: Array<{ name: string; offset: number }> = [];
  let references = 0;
  const value = text.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined, offset: number) => {
    if (name === undefined) return '${';
    references++;
    const set = env[name];
    if (set !== undefined && !(fallback !== undefined && set === '')) {
      used.push(name);
      return set;
    }
    if (fallback !== undefined) return fallback;
    missing.push({ name, offset });
    return match;
  });
  const whole = references === 1 && /^\$\{[^}]*\}$/.test(text);
  return { value, used, missing, whole };
}

/**
 * YAML core-schema typing for a plain scalar that was one `${VAR}`: `bufferSize: ${BUF:-16}` is a
 * number, as it would be written literally. Quoted scalars stay strings.
 */
export function retype(value: string): unknown {
  if (/^[-+]?(0|[1-9][0-9]*)$/.test(value)) return Number(value);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(value)) return Number(value);
  if (/^(true|True|TRUE)$/.test(value)) return true;
  if (/^(false|False|FALSE)$/.test(value)) return false;
  if (/^(null|Null|NULL|~)$/.test(value)) return null;
  return value;
}
