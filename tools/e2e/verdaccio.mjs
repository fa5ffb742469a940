// Starts and stops a real Verdaccio registry for the publishing e2e (publish.e2e.mjs).
//
// Loopback only, a free port picked by the OS, storage in a fresh temp folder. Our package names are
// served from that storage alone (no proxy), so a test can never silently install a FlowEngine
// package from the public registry; everything else is proxied to the public npm registry.
//
// Usage as a module:   const reg = await startVerdaccio(); ...; await reg.stop();
// Usage as a command:  node tools/e2e/verdaccio.mjs start   (prints the URL, runs until Ctrl-C)
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const verdaccioBin = join(root, 'node_modules/verdaccio/bin/verdaccio');

/** Package-name patterns that are ours: published locally, never proxied. */
export const LOCAL_PACKAGES = ['@flowengine/*', 'flowengine', 'create-flowengine-plugin', 'flowengine-plugin-*'];

/**
 * Starts Verdaccio and resolves once it answers HTTP.
 * @param {{ uplink?: string, startTimeoutMs?: number }} [options]
 * @returns {Promise<{ url: string, port: number, dir: string, userconfig: string, token: string, stop: () => Promise<void> }>}
 *   `userconfig` is an .npmrc that points npm at the registry with a publish token; pass it as
 *   `npm_config_userconfig` so the user's own ~/.npmrc is never touched.
 */
export async function startVerdaccio(options = {}) {
  const uplink = options.uplink ?? process.env.FLOWENGINE_E2E_UPLINK ?? 'https://registry.npmjs.org/';
  const dir = await mkdtemp(join(tmpdir(), 'flowengine-verdaccio-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const configPath = join(dir, 'config.yaml');
  await writeFile(configPath, verdaccioConfig({ dir, uplink }));

  const child = spawn(process.execPath, [verdaccioBin, '--config', configPath, '--listen', `127.0.0.1:${port}`], {
    cwd: dir,
    // The registry's own HTTPS calls to the uplink must trust the same CAs npm does on this machine.
    env: { ...process.env, NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '/etc/ssl/certs/ca-certificates.crt' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (b) => { log = (log + b.toString()).slice(-20_000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitForHttp(url, exited, options.startTimeoutMs ?? 60_000, () => log);
    const token = await addUser(url);
    const userconfig = join(dir, 'npmrc');
    await writeFile(userconfig, npmrc(url, token));
    return { url, port, dir, userconfig, token, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function verdaccioConfig({ dir, uplink }) {
  const local = LOCAL_PACKAGES.map((pattern) => `  '${pattern}':\n    access: $all\n    publish: $authenticated\n    unpublish: $authenticated\n`).join('');
  return `storage: ${JSON.stringify(join(dir, 'storage'))}
auth:
  htpasswd:
    file: ${JSON.stringify(join(dir, 'htpasswd'))}
    max_users: 10
uplinks:
  npmjs:
    url: ${JSON.stringify(uplink)}
    timeout: 60s
    maxage: 30m
packages:
${local}  '**':
    access: $all
    publish: $authenticated
    proxy: npmjs
server:
  keepAliveTimeout: 60
max_body_size: 200mb
log: { type: stdout, format: pretty, level: warn }
`;
}

/** Registers a throw-away user through the CouchDB-style endpoint npm itself uses for `adduser`. */
async function addUser(url) {
  const name = 'flowengine-e2e';
  const res = await fetch(new URL(`-/user/org.couchdb.user:${name}`, url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: 'e2e-password-not-secret', email: 'e2e@example.invalid', type: 'user', roles: [] }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || typeof body.token !== 'string') {
    throw new Error(`verdaccio at ${url}: adding the e2e user failed: expected 201 with a token, got ${res.status} ${JSON.stringify(body)}`);
  }
  return body.token;
}

function npmrc(url, token) {
  const hostPath = url.replace(/^https?:/, '');
  return [
    `registry=${url}`,
    `${hostPath}:_authToken=${token}`,
    'audit=false',
    'fund=false',
    'update-notifier=false',
    // Quiet, deterministic installs: no lockfile churn in the temp projects and no retries that hide a 404.
    'fetch-retries=1',
    '',
  ].join('\n');
}

async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(address.port));
    });
  });
}

async function waitForHttp(url, exited, timeoutMs, getLog) {
  const deadline = Date.now() + timeoutMs;
  let exit;
  void exited.then((e) => { exit = e; });
  while (Date.now() < deadline) {
    if (exit !== undefined) throw new Error(`verdaccio exited before answering (code ${exit.code}, signal ${exit.signal}):\n${getLog()}`);
    try {
      const res = await fetch(new URL('-/ping', url));
      if (res.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`verdaccio did not answer on ${url} within ${timeoutMs} ms:\n${getLog()}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv[2] !== 'start') {
    console.error('usage: node tools/e2e/verdaccio.mjs start');
    process.exit(2);
  }
  const reg = await startVerdaccio();
  console.log(`verdaccio: ${reg.url}\nnpm config: npm_config_userconfig=${reg.userconfig}\nCtrl-C to stop`);
  const shutdown = () => { void reg.stop().then(() => process.exit(0)); };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
