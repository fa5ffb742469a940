// What the bench suites share: option parsing, child-process cases, medians, tables, and one
// engine run. No import of ours at the top, so a case process that loads this file pays nothing
// for it (run.mjs lists no file whose name starts with `_` as a suite).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: its node_modules links the workspace's plugin packages. */
const workspaceRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The middle value (the upper one of an even count); `xs` is left as it was. */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * One result for a case from its repetitions: the first run's fields (names, row counts, which
 * every run shares) with each of `keys` replaced by its median across the runs.
 */
export function mediansOf(runs, keys = ['seconds', 'cpuSeconds', 'maxRssKb']) {
  return { ...runs[0], ...Object.fromEntries(keys.map((key) => [key, median(runs.map((run) => run[key]))])) };
}

/**
 * `--key N` pairs over `defaults` (every value an integer). Anything else exits 2 with a message
 * that lists the keys, e.g. `chunk bench: expected --rows N --reps N, found --rows x`.
 */
export function integerOptions(suite, defaults, argv = process.argv.slice(2)) {
  const options = { ...defaults };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]?.replace(/^--/, '');
    if (!(key in options) || !Number.isInteger(Number(argv[i + 1]))) {
      console.error(`${suite} bench: expected ${Object.keys(defaults).map((k) => `--${k} N`).join(' ')}, found ${argv.slice(i).join(' ')}`);
      process.exit(2);
    }
    options[key] = Number(argv[i + 1]);
  }
  return options;
}

/**
 * Runs `node script ...args` (a suite re-running itself with `--case ...`) so each case has a clean
 * heap and its own peak RSS; returns the JSON of the last line the case printed. The case's stderr
 * goes straight to the terminal.
 */
export function runCase(script, args) {
  const child = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status !== 0) throw new Error(`${basename(script)} ${args.join(' ')} failed with ${child.status ?? child.signal}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1));
}

/** Prints `rows` (objects with the same keys) as a Markdown table; the first `leftColumns` align left, the rest right. */
export function printTable(rows, leftColumns = 1) {
  const columns = Object.keys(rows[0]);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((row) => String(row[c]).length)));
  const line = (cells) => `| ${cells.map((cell, i) => (i < leftColumns ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join(' | ')} |`;
  console.log(line(columns));
  console.log(`|${widths.map((w, i) => (i < leftColumns ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of rows) console.log(line(columns.map((c) => row[c])));
}

/**
 * A plugin context as the isolation host gives one (config validated, defaults filled), for the
 * cases that drive a plugin by hand on the bench's own thread.
 */
export async function benchContext(plugin, config, { spillDir, declaredSchema } = {}) {
  const { pluginContext } = await import('@flowengine/sdk/testing');
  return pluginContext(plugin, config, { instanceName: 'bench', spillDir, declaredSchema }).ctx;
}

/** A value for a pipeline file: JSON is YAML, so the config objects a bench uses by hand go in as they are. */
export const yamlValue = (value) => JSON.stringify(value);

/**
 * One pipeline through the core executor and the isolation host, as `flowengine run` does: `yaml`
 * is written to `file`, the plugins it names are found as the CLI finds them (the built-ins, then
 * the workspace's installed packages, their config schemas read in a throwaway worker), it is
 * loaded, planned in `mode` (each instance's own mode when undefined), run, and the host closed.
 * Throws unless the run succeeded. `ms` times `runPipeline` alone, worker boot included: the CLI
 * boots threads while it validates the file (`warmWorkers`), but with the validation outside the
 * timer, warm threads here would hide their boot instead of overlapping it.
 * `firstWriteMs`: when the first chunk reached a sink, from the same start (startup, worker boot
 * included, ends there; what follows is the steady stream).
 */
export async function runEngine({ yaml, file, mode, cwd }) {
  const { AvailablePlugins, buildExecutionPlan, findInstalledPlugins, loadPipelineConfig, pluginTypesIn, runPipeline } = await import('@flowengine/core');
  const { createInstanceHost } = await import('@flowengine/isolation');
  writeFileSync(file, yaml);
  const source = { file, text: yaml };
  const plugins = new AvailablePlugins(await findInstalledPlugins(workspaceRoot, pluginTypesIn(source)));
  const plan = buildExecutionPlan(loadPipelineConfig(source, { plugins }), plugins, { cwd, ...(mode === undefined ? {} : { mode }) });
  const host = createInstanceHost();
  let firstWrite;
  // Only the bench looks: each sink handle's write notes the first call and goes on unchanged.
  const startInstance = async (options) => {
    const handle = await host.startInstance(options);
    if (handle.kind !== 'sink') return handle;
    const write = handle.write;
    return Object.assign(handle, { write: (chunk) => { firstWrite ??= performance.now(); return write(chunk); } });
  };
  try {
    const started = performance.now();
    const summary = await runPipeline(plan, { startInstance });
    const ms = performance.now() - started;
    if (summary.status !== 'succeeded') throw new Error(`${mode}: run ${summary.status}: ${summary.error?.code} ${summary.error?.message}`);
    return { ms, firstWriteMs: firstWrite === undefined ? ms : firstWrite - started, stage: (name) => summary.stages.find((s) => s.name === name) };
  } finally {
    await host.close();
  }
}
