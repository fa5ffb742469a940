import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { SECRET_ENV_NAME, retype, substituteEnv } from './env.js';
import { ProblemList, childDisplay, childPointer, type Located } from './problems.js';

/** Keys whose values are secret whatever their source (`password`, `dbPassword`, `api_token`...). */
const SECRET_KEY = /(password|passwd|secret|token|api[_-]?key)$/i;
// The password of `scheme://user:password@host`.
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/:@\s]*:([^@\s/]+)@/i;

export interface YamlTree {
  /** Plain data, `${VAR}` already substituted. */
  readonly value: unknown;
  readonly positions: ReadonlyMap<string, Located>;
  readonly problems: ProblemList;
  /** Values found secret while reading (by env var name, key name or URL password). */
  readonly secrets: ReadonlySet<string>;
  /** True when the YAML did not parse; the tree is then not worth validating. */
  readonly syntaxFailed: boolean;
}

/**
 * Parses YAML keeping every value's position, and substitutes `${VAR}` in string values only: the
 * YAML text itself is never rewritten, so a variable cannot inject structure.
 */
export function readYamlTree(file: string, text: string, env: Readonly<Record<string, string | undefined>>): YamlTree {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const positions = new Map<string, Located>();
  const problems = new ProblemList(file, lines, positions, text);
  const secrets = new Set<string>();

  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const message = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
      problems.atOffset('FE_CONFIG_YAML_SYNTAX', error.pos[0], '', `YAML syntax: ${message}`);
    }
    return { value: undefined, positions, problems, secrets, syntaxFailed: true };
  }

  const walker = new Walker(doc, text, env, positions, problems, secrets);
  const root = doc.contents;
  positions.set('', { offset: root?.range?.[0] ?? 0, display: '' });
  const value = walker.walk(root, '', '', false);
  return { value, positions, problems, secrets, syntaxFailed: false };
}

class Walker {
  constructor(
    private readonly doc: Document,
    private readonly text: string,
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly positions: Map<string, Located>,
    private readonly problems: ProblemList,
    private readonly secrets: Set<string>,
  ) {}

  walk(node: unknown, pointer: string, display: string, secretKey: boolean): unknown {
    const resolved = isAlias(node) ? node.resolve(this.doc) : node;
    if (isMap(resolved)) {
      const out: Record<string, unknown> = {};
      for (const pair of resolved.items) {
        const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
        const keyRange = (pair.key as Node | null)?.range;
        const valueRange = (pair.value as Node | null)?.range;
        const child = childPointer(pointer, key);
        const childName = childDisplay(display, key, false);
        const keyOffset = keyRange?.[0] ?? 0;
        this.positions.set(child, { offset: valueRange?.[0] ?? keyRange?.[1] ?? keyOffset, keyOffset, display: childName });
        // defineProperty: a key named __proto__ stays a plain key.
        Object.defineProperty(out, key, {
          value: this.walk(pair.value, child, childName, SECRET_KEY.test(key)), enumerable: true, writable: true, configurable: true,
        });
      }
      return out;
    }
    if (isSeq(resolved)) {
      return resolved.items.map((item, index) => {
        const child = childPointer(pointer, index);
        const childName = childDisplay(display, index, true);
        this.positions.set(child, { offset: (item as Node | null)?.range?.[0] ?? 0, display: childName });
        return this.walk(item, child, childName, secretKey);
      });
    }
    if (isScalar(resolved)) return this.scalar(resolved.value, resolved.range, resolved.type, display, secretKey);
    return null;
  }

  private scalar(raw: unknown, range: readonly number[] | null | undefined, type: string | undefined, display: string, secretKey: boolean): unknown {
    if (typeof raw !== 'string') {
      if (secretKey && (typeof raw === 'number' || typeof raw === 'bigint')) this.secrets.add(String(raw));
      return raw;
    }
    const { value, used, missing, whole } = substituteEnv(raw, this.env);
    const start = range?.[0] ?? 0;
    const source = this.text.slice(start, range?.[1] ?? start);
    let searchFrom = 0;
    for (const unset of missing) {
      const at = source.indexOf(`\${${unset.name}`, searchFrom);
      searchFrom = at < 0 ? searchFrom : at + 1;
      this.problems.atOffset('FE_CONFIG_ENV_UNSET', start + Math.max(at, 0), display,
        `environment variable ${unset.name} is not set (write \${${unset.name}:-default} to give a default)`);
    }
    if (secretKey || used.some((name) => SECRET_ENV_NAME.test(name))) this.secrets.add(value);
    const password = URL_PASSWORD.exec(value)?.[1];
    if (password !== undefined) this.secrets.add(password);
    return whole && type === 'PLAIN' && missing.length === 0 ? retype(value) : value;
  }
}
