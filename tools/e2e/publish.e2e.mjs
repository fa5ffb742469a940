#!/usr/bin/env node
// The third-party author's whole path, against a real registry (Verdaccio on loopback):
//   publish every FlowEngine package -> scaffold a plugin with `npm exec create-flowengine-plugin`
//   -> npm install / test / publish it -> install it with flowengine and plugin-csv into a fresh
//   pipeline project -> plugins preload -> run -> check rows -> tamper one byte -> run refuses with
//   FE_PLUGIN_INTEGRITY -> preload again -> run works.
//
// Run from the repo root after a build:  node tools/e2e/publish.e2e.mjs [--keep]
// Every child process is async (spawn); each step prints its time; a failure names the step, the
// command, its exit code and the end of its output, then exits 1.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVerdaccio } from './verdaccio.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const keep = process.argv.includes('--keep') || process.env.FLOWENGINE_E2E_KEEP === '1';
const PLUGIN_DIR = 'my-plugin';
const PLUGIN_NAME = 'flowengine-plugin-my-plugin';
const PLUGIN_ID = 'my-plugin';
/** How many `step(...)` calls the happy path makes; the closing line counts steps as tests. */
const TOTAL_STEPS = 12;
const ROWS = [[1, 'ada'], [2, 'grace'], [3, 'Edsger'], [4, 'barbara liskov']];

class StepError extends Error {
  constructor(message, hint) {
    super(message);
    this.hint = hint;
  }
}

const started = Date.now();
const timings = [];
let registry;
let work;
const children = new Set();
// Ctrl-C or a CI timeout must not leave a registry process or a temp folder behind.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\ne2e: ${signal}, stopping Verdaccio and cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

try {
  const packages = await publicPackages();
  await step('preflight: every public package is built', () => preflight(packages));
  registry = await step('start Verdaccio (127.0.0.1, free port, temp storage)', () => startVerdaccio());
  console.log(`   registry ${registry.url}`);
  work = await mkdtemp(join(tmpdir(), 'flowengine-e2e-'));
  const env = npmEnv(registry);

  await step(`publish ${packages.length} FlowEngine packages`, async () => {
    for (const pkg of packages) {
      await run('npm', ['publish', '--registry', registry.url, '--tag', 'latest'], { cwd: pkg.dir, env },
        `publishing ${pkg.name} from ${pkg.dir}`);
    }
  });

  await step('npm exec create-flowengine-plugin -- my-plugin --kind transform --yes', async () => {
    // Its own npm cache: npx reuses a package it cached before under the same spec, which could be
    // an older build of create-flowengine-plugin 0.1.0 from another run.
    const execEnv = { ...env, npm_config_cache: join(work, 'npx-cache') };
    await run('npm', ['exec', '--yes', '--registry', registry.url, 'create-flowengine-plugin', '--', PLUGIN_DIR, '--kind', 'transform', '--yes'],
      { cwd: work, env: execEnv }, 'scaffolding with the published generator');
    const manifest = JSON.parse(await readFile(join(work, PLUGIN_DIR, 'package.json'), 'utf8'));
    if (manifest.name !== PLUGIN_NAME) throw new StepError(`expected package name ${PLUGIN_NAME}, found ${manifest.name}`);
  });

  const pluginDir = join(work, PLUGIN_DIR);
  await step('plugin: npm install', () => run('npm', ['install'], { cwd: pluginDir, env }, 'installing the scaffolded plugin'));
  await step('plugin: npm test', () => run('npm', ['test'], { cwd: pluginDir, env }, 'the scaffold\'s own tests',
    'the template test uses @flowengine/sdk/testing (runPlugin, assert*Compliance) from the published SDK'));
  await step('plugin: npm publish', () => run('npm', ['publish', '--registry', registry.url], { cwd: pluginDir, env }, 'publishing the plugin'));

  const project = join(work, 'pipeline');
  await step('pipeline project: npm install flowengine @flowengine/plugin-csv flowengine-plugin-my-plugin', async () => {
    await mkdir(join(project, 'data'), { recursive: true });
    // csv-sink writes into an existing folder (it does not create parents).
    await mkdir(join(project, 'out'), { recursive: true });
    await writeFile(join(project, 'package.json'), `${JSON.stringify({ name: 'e2e-pipeline', private: true, type: 'module' }, null, 2)}\n`);
    await writeFile(join(project, 'data/people.csv'), `id,name\n${ROWS.map(([id, name]) => `${id},${name}`).join('\n')}\n`);
    await writeFile(join(project, 'pipeline.yml'), pipelineYaml());
    await run('npm', ['install', 'flowengine', '@flowengine/plugin-csv', PLUGIN_NAME], { cwd: project, env }, 'installing into the pipeline project');
  });

  const cliHint = 'needs the flowengine CLI (packages/cli: `flowengine plugins preload`, `flowengine run`) and the plugin resolution/lock of @flowengine/isolation';
  await step('npx flowengine plugins preload pipeline.yml', () => run('npx', ['flowengine', 'plugins', 'preload', 'pipeline.yml'], { cwd: project, env }, 'preloading', cliHint));
  await step('npx flowengine run pipeline.yml (check output rows)', async () => {
    await run('npx', ['flowengine', 'run', 'pipeline.yml'], { cwd: project, env }, 'running the pipeline', cliHint);
    await checkOutput(project);
  });

  const tampered = await step('change one byte of the installed plugin: run refuses with FE_PLUGIN_INTEGRITY', async () => {
    const file = join(project, 'node_modules', PLUGIN_NAME, 'dist/index.js');
    const bytes = await readFile(file);
    // The last byte is the file's final newline or a source-map comment character: the code still
    // runs the same, so only an integrity check (not a syntax error) can make `run` refuse.
    bytes[bytes.length - 1] = bytes[bytes.length - 1] === 0x0a ? 0x20 : 0x0a;
    await writeFile(file, bytes);
    // So the check after the next preload reads that run's output, not this one's leftovers.
    await rm(join(project, 'out/people.csv'), { force: true });
    const result = await run('npx', ['flowengine', 'run', 'pipeline.yml'], { cwd: project, env, allowFailure: true }, 'running with a tampered plugin', cliHint);
    if (result.code === 0) throw new StepError(`expected \`flowengine run\` to refuse a plugin whose files changed after preload, but it exited 0:\n${tail(result.output)}`, cliHint);
    if (!result.output.includes('FE_PLUGIN_INTEGRITY')) {
      throw new StepError(`expected the refusal to carry FE_PLUGIN_INTEGRITY, found exit ${result.code}:\n${tail(result.output)}`, cliHint);
    }
    return file;
  });
  console.log(`   tampered ${tampered}`);

  await step('preload again, then run works', async () => {
    await run('npx', ['flowengine', 'plugins', 'preload', 'pipeline.yml'], { cwd: project, env }, 'preloading again', cliHint);
    await run('npx', ['flowengine', 'run', 'pipeline.yml'], { cwd: project, env }, 'running after the new preload', cliHint);
    await checkOutput(project);
  });

  console.log(`\ne2e: all ${timings.length} steps passed in ${seconds(Date.now() - started)}`);
  console.log(`${timings.length} passed, 0 failed`);
  await cleanup();
} catch (error) {
  const failed = timings.at(-1);
  console.error(`\ne2e FAILED at step: ${failed?.name ?? '(before the first step)'}`);
  console.error(error instanceof StepError ? error.message : error?.stack ?? String(error));
  if (error?.hint !== undefined) console.error(`hint: ${error.hint}`);
  const passed = timings.filter((t) => t.ok).length;
  if (work !== undefined) console.error(`work folder: ${work}${keep ? ' (kept)' : ' (removed; pass --keep to keep it)'}`);
  console.error(`${passed} passed, ${timings.length - passed} failed, ${Math.max(TOTAL_STEPS - timings.length, 0)} skipped`);
  await cleanup();
  process.exitCode = 1;
}

async function cleanup() {
  for (const child of children) child.kill('SIGTERM');
  await registry?.stop().catch(() => undefined);
  if (work !== undefined && !keep) await rm(work, { recursive: true, force: true }).catch(() => undefined);
}

/** Runs one named step, printing its time whether it passes or fails. */
async function step(name, fn) {
  const entry = { name, ok: false };
  timings.push(entry);
  const t0 = Date.now();
  process.stdout.write(`-> ${name}\n`);
  try {
    const value = await fn();
    entry.ok = true;
    console.log(`   ok  ${seconds(Date.now() - t0)}`);
    return value;
  } catch (error) {
    console.log(`   FAILED after ${seconds(Date.now() - t0)}`);
    throw error;
  }
}

/** npm configuration for every child: our registry and token, never the user's ~/.npmrc. */
function npmEnv(reg) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.toLowerCase().startsWith('npm_config_')) delete env[key];
  return {
    ...env,
    npm_config_userconfig: reg.userconfig,
    npm_config_registry: reg.url,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    // Keep the global npmrc's CA file (a TLS-intercepting proxy may sit in front of the registry).
    ...(process.env.npm_config_cafile === undefined ? {} : { npm_config_cafile: process.env.npm_config_cafile }),
    CI: '1',
  };
}

/** Spawns a command (never sync), collects stdout+stderr, and fails the step on a non-zero exit. */
function run(command, args, { cwd, env, allowFailure = false }, what, hint) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let output = '';
    const collect = (b) => { output += b.toString(); };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error) => reject(new StepError(`${what}: could not start \`${command}\`: ${error.message}`, hint)));
    child.once('close', (code, signal) => {
      children.delete(child);
      const result = { code: code ?? 1, signal, output };
      if (code === 0 || allowFailure) resolvePromise(result);
      else reject(new StepError(`${what}: \`${command} ${args.join(' ')}\` in ${cwd} exited ${code ?? signal}:\n${tail(output)}`, hint));
    });
  });
}

async function preflight(packages) {
  const missing = [];
  for (const { name, dir, manifest } of packages) {
    const main = manifest.exports?.['.']?.default ?? manifest.main ?? './dist/index.js';
    if (!(await stat(join(dir, main)).then(() => true, () => false))) missing.push(`${name} (${main})`);
  }
  if (missing.length > 0) throw new StepError(`not built: ${missing.join(', ')}`, 'run `npm run build` at the repo root first');
}

async function publicPackages() {
  const out = [];
  for (const group of ['packages', 'plugins']) {
    for (const entry of (await readdir(join(root, group))).sort()) {
      const dir = join(root, group, entry);
      const manifest = await readFile(join(dir, 'package.json'), 'utf8').then(JSON.parse, () => undefined);
      if (manifest !== undefined && manifest.private !== true) out.push({ name: manifest.name, dir, manifest });
    }
  }
  // Dependencies first, so a registry never holds a package whose dependency is missing.
  const order = ['@flowengine/sdk', '@flowengine/isolation', '@flowengine/core', 'flowengine'];
  return out.sort((a, b) => rank(a.name) - rank(b.name));
  function rank(name) { const i = order.indexOf(name); return i === -1 ? order.length : i; }
}

function pipelineYaml() {
  return `pipeline:
  name: e2e-shout
  plugins:
    - name: people
      type: csv-source
      config: { path: data/people.csv }
      schema:
        fields: [{ name: id, type: int32 }, { name: name, type: string }]
    - name: upper
      type: ${PLUGIN_ID}
      input: people
      config: { field: name }
    - name: out
      type: csv-sink
      input: upper
      config: { path: out/people.csv }
`;
}

async function checkOutput(project) {
  const text = await readFile(join(project, 'out/people.csv'), 'utf8').catch((error) => {
    throw new StepError(`expected the pipeline to write out/people.csv, found none (${error.code})`);
  });
  const lines = text.split(/\r?\n/).filter((line) => line !== '' && line !== 'id,name');
  const expected = ROWS.map(([id, name]) => `${id},${name.toUpperCase()}`);
  const unquoted = lines.map((line) => line.replaceAll('"', ''));
  if (JSON.stringify(unquoted) !== JSON.stringify(expected)) {
    throw new StepError(`out/people.csv: expected rows ${JSON.stringify(expected)}, found ${JSON.stringify(unquoted)}`);
  }
  console.log(`   out/people.csv has the ${expected.length} expected rows`);
}

function tail(text, lines = 40) {
  return text.trimEnd().split('\n').slice(-lines).map((line) => `   | ${line}`).join('\n');
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)}s`;
}
