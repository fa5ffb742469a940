import { createRequire } from 'node:module';

type Pg = typeof import('pg');

/**
 * The `pg` driver, loaded without its Cloudflare probe where that probe is expensive. pg's
 * lib/stream.js asks "am I on Cloudflare Workers?" when it loads: with no global `navigator` it
 * constructs a `Response`, and on Node 20 the first touch of `Response` loads Node's bundled fetch
 * implementation (undici), 20–35 ms of CPU on the 2-core bench host, in every worker thread that
 * loads pg (a tenth of a Postgres instance's start in worker mode). Node 21+ has `navigator`
 * (userAgent "Node.js/…"), so pg answers from it at once; on Node 20 the same answer is arranged
 * by defining `navigator` for the duration of the require only. pg/lib/stream.js is the one
 * module of pg and its dependencies that reads `navigator`.
 */
function loadPg(): Pg {
  const require = createRequire(import.meta.url);
  const global = globalThis as { navigator?: unknown };
  if (global.navigator !== undefined) return require('pg') as Pg;
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent: `Node.js/${process.versions.node}` }, configurable: true, writable: true });
  try {
    return require('pg') as Pg;
  } finally {
    delete global.navigator;
  }
}

const pg: Pg = loadPg();
export default pg;
