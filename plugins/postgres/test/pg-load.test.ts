// How the plugin loads the pg driver (src/connection/pg.ts): without Node's fetch implementation,
// which pg's Cloudflare probe pulls in on Node 20, and leaving the global scope as it found it.
// Each case runs in a fresh Node process, since a module is loaded once per process.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pgModule = fileURLToPath(new URL('../dist/connection/pg.js', import.meta.url));

/** Loads pg one way in a new process; reports whether undici was loaded and what `navigator` was before and after. */
function load(how: 'plugin' | 'plain'): { undici: boolean; navigatorBefore: string; navigatorAfter: string; client: string } {
  const script = `
    const navigatorBefore = typeof globalThis.navigator;
    const pg = ${how === 'plugin' ? `(await import(${JSON.stringify(pgModule)})).default` : `(await import('node:module')).createRequire(${JSON.stringify(pgModule)})('pg')`};
    console.log(JSON.stringify({
      undici: process.moduleLoadList.some((name) => name.includes('undici')),
      navigatorBefore,
      navigatorAfter: typeof globalThis.navigator,
      client: typeof pg.Client,
    }));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as ReturnType<typeof load>;
}

describe('loading the pg driver', () => {
  it('does not load undici, and leaves `navigator` as it was', () => {
    const loaded = load('plugin');
    expect(loaded).toEqual({ undici: false, navigatorBefore: loaded.navigatorBefore, navigatorAfter: loaded.navigatorBefore, client: 'function' });
  });

  it('(on Node 20, where `navigator` is missing, a plain require of pg does load it: what the plugin avoids)', () => {
    const plain = load('plain');
    expect(plain.client).toBe('function');
    expect(plain.undici).toBe(plain.navigatorBefore === 'undefined');
  });
});
