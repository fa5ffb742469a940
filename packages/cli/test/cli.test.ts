import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

interface Result { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs the built CLI as a user would: a real child process. */
function flowengine(args: string[], options: { cwd?: string; onSpawn?: (child: ReturnType<typeof spawn>) => void } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    options.onSpawn?.(child);
  });
}

function pipelineFile(yaml: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fe-cli-'));
  const file = join(dir, 'pipeline.yml');
  writeFileSync(file, yaml);
  return { dir, file };
}

const SCHEMA = `
      schema:
        fields:
          - { name: id, type: int32 }
          - { name: customer, type: string }
          - { name: amount, type: float64 }`;

/** generate → `sink` with two billion rows: a run that ends only when it is interrupted. */
function endlessPipeline(name: string, sink = 'type: null-sink'): { dir: string; file: string } {
  return pipelineFile(`
pipeline:
  name: ${name}
  plugins:
    - name: gen
      type: generate
      config: { count: 2000000000, chunkSize: 1000 }${SCHEMA}
    - name: out
      ${sink}
`);
}

/**
 * `flowengine run <file> --json --monitor --interval 200ms [...args]`; once the stderr so far matches
 * `ready` (a monitor line showing rows moving), `then` acts on the child — by default a user's Ctrl-C.
 */
function runUntil(file: string, options: {
  cwd: string;
  ready: RegExp;
  args?: string[];
  then?: (child: ReturnType<typeof spawn>, stderr: string) => void;
}): Promise<Result> {
  const then = options.then ?? ((child) => child.kill('SIGINT'));
  return flowengine(['run', file, '--json', '--monitor', '--interval', '200ms', ...(options.args ?? [])], {
    cwd: options.cwd,
    onSpawn: (child) => {
      let stderr = '';
      let done = false;
      child.stderr?.on('data', (data: Buffer) => {
        stderr += data.toString();
        if (!done && options.ready.test(stderr)) {
          done = true;
          then(child, stderr);
        }
      });
    },
  });
}

describe('flowengine run', () => {
  it('runs generate → filter → select → console-sink and prints the rows and a summary', async () => {
    const { dir, file } = pipelineFile(`
pipeline:
  name: small
  plugins:
    - name: gen
      type: generate
      config: { count: 10, seed: 7 }${SCHEMA}
    - name: even
      type: filter
      config: { where: "id % 2 = 0" }
    - name: shape
      type: select
      config: { columns: [id, { name: doubled, expr: "id * 2" }] }
    - name: out
      type: console-sink
      config: { format: jsonl }
`);
    const result = await flowengine(['run', file], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const rows = result.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { id: number; doubled: number });
    expect(rows).toEqual([2, 4, 6, 8, 10].map((id) => ({ id, doubled: id * 2 })));
    expect(result.stdout).toMatch(/pipeline "small" succeeded/);
    expect(result.stdout).toMatch(/even\s+filter\s+10\s+5\s/);
  });

  it('--json prints one JSON object with the per-stage figures', async () => {
    const { dir, file } = pipelineFile(`
pipeline:
  name: json
  plugins:
    - name: gen
      type: generate
      config: { count: 25000, chunkSize: 1000 }${SCHEMA}
    - name: out
      type: null-sink
`);
    const result = await flowengine(['run', file, '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { pipeline: string; status: string; durationMs: number; stages: Array<Record<string, unknown>> };
    expect(summary.pipeline).toBe('json');
    expect(summary.status).toBe('succeeded');
    expect(summary.stages.map((stage) => [stage['name'], stage['type'], stage['rowsIn'], stage['rowsOut']])).toEqual([
      ['gen', 'generate', 0, 25000],
      ['out', 'null-sink', 25000, 25000],
    ]);
    for (const key of ['dropped', 'deadLettered', 'rowsPerSec', 'p50ChunkMs', 'p99ChunkMs', 'peakHeapMB']) expect(summary.stages[1]).toHaveProperty(key);
    // 25 chunks each crossed to the sink's worker and back: every call took time, none longer than the run.
    const [p50, p99] = [summary.stages[1]?.['p50ChunkMs'], summary.stages[1]?.['p99ChunkMs']] as number[];
    expect(p50).toBeGreaterThan(0);
    expect(p99).toBeGreaterThanOrEqual(p50 as number);
    expect(p99).toBeLessThan(summary.durationMs);
    const rowsPerSec = summary.stages[1]?.['rowsPerSec'] as number;
    expect(Math.abs(rowsPerSec - 25000 / (summary.durationMs / 1000)) / rowsPerSec).toBeLessThan(0.02); // durationMs is rounded
  });

  it('exits 2 with every config problem and its position, running nothing', async () => {
    const { dir, file } = pipelineFile(`
pipeline:
  name: broken
  plugins:
    - name: gen
      type: generate
      config: { count: 10, colour: red }${SCHEMA}
    - name: keep
      type: filtr
`);
    const result = await flowengine(['run', file], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:7:28:`);
    expect(result.stderr).toMatch(/unknown key "colour"/);
    expect(result.stderr).toContain(`${file}:14:13:`);
    expect(result.stderr).toMatch(/unknown plugin type "filtr"; did you mean "filter"/);
  });

  it('points into a bad filter expression at validate time', async () => {
    const { dir, file } = pipelineFile(`
pipeline:
  name: expr
  plugins:
    - name: gen
      type: generate
      config: { count: 10 }${SCHEMA}
    - name: keep
      type: filter
      config: { where: "amount > > 5" }
    - name: out
      type: null-sink
`);
    const result = await flowengine(['validate', file], { cwd: dir });
    expect(result.code).toBe(2);
    // `      config: { where: "` is 24 characters; the second '>' is index 9 of the expression.
    expect(result.stderr).toContain(`${file}:15:34:`);
  });

  it('a usage error exits 2 and shows the usage', async () => {
    const result = await flowengine(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command "frobnicate"/);
    const missing = await flowengine(['run']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/run needs a pipeline file/);
  });

  it('SIGINT mid-run stops the sources, drains, flushes and exits 130 with the summary', async () => {
    const { dir, file } = endlessPipeline('endless');
    // Wait until the monitor shows rows moving, then interrupt as a user's Ctrl-C would.
    const result = await runUntil(file, { cwd: dir, ready: /stage gen: in 0 out [1-9]/ });
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/SIGINT: stopping sources/);
    const summary = JSON.parse(result.stdout) as { status: string; stages: Array<{ rowsIn: number; rowsOut: number }> };
    expect(summary.status).toBe('stopped');
    const [source, sink] = summary.stages;
    expect(source?.rowsOut).toBeGreaterThan(0);
    // Drained: every row the source read reached the sink.
    expect(sink?.rowsIn).toBe(source?.rowsOut);
  });

  it('compares with a performance baseline and fails past maxRegressionPercent', async () => {
    const { dir, file } = pipelineFile(`
pipeline:
  name: perf
  plugins:
    - name: gen
      type: generate
      config: { count: 20000 }${SCHEMA}
    - name: out
      type: null-sink
  performance: { baselineFile: baseline.json, failOnRegression: true, maxRegressionPercent: 10 }
`);
    const first = await flowengine(['run', file, '--update-baseline'], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/baseline .* updated/);
    expect(existsSync(join(dir, 'baseline.json'))).toBe(true);
    // A baseline a thousand times faster than any real run: this run must be reported as a regression.
    const baseline = JSON.parse(readFileSync(join(dir, 'baseline.json'), 'utf8')) as { rowsPerSec: number };
    writeFileSync(join(dir, 'baseline.json'), JSON.stringify({ ...baseline, rowsPerSec: baseline.rowsPerSec * 1000 }));
    const second = await flowengine(['run', file], { cwd: dir });
    expect(second.stdout).toMatch(/REGRESSION: [\d.]+% slower than the baseline \(limit 10%\)/);
    expect(second.code).toBe(3);
  });

  it('--metrics-port serves Prometheus text on 127.0.0.1 while the run goes on', async () => {
    const { dir, file } = endlessPipeline('metered');
    let page = '';
    const result = await runUntil(file, {
      cwd: dir,
      args: ['--metrics-port', '0'],
      // The server is announced before the run starts, so it is in stderr by the time rows reach the sink.
      ready: /Prometheus text at http:[^]*stage out: in [1-9]/,
      then: (child, stderr) => {
        const url = /Prometheus text at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(stderr)?.[1] ?? '';
        // Plugins' metrics come with the sink's replies, batched (every 200 ms at most): read the
        // page again until the sink's counter is on it, for at most ~5 s.
        const scrape = async (): Promise<void> => {
          for (let attempt = 0; attempt < 50 && !page.includes('rows_discarded_total'); attempt++) {
            if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
            page = await (await fetch(url)).text();
          }
        };
        void scrape().finally(() => child.kill('SIGINT'));
      },
    });
    expect(result.code).toBe(130);
    expect(page).toMatch(/rows_processed_total\{[^}]*stage="out"[^}]*\} [1-9]/);
    expect(page).toContain('processing_time_ms');
    expect(page).toContain('channel_utilization');
    // A plugin's own instrument (null-sink's counter, recorded in its worker) exports beside them.
    expect(page).toMatch(/rows_discarded_total\{[^}]*otel_scope_name="flowengine\.out"[^}]*\} [1-9]/);
  });

  it('--profile-memory reports each instance\'s peak heap and growth', async () => {
    const { dir, file } = pipelineFile(`
pipeline:
  name: profiled
  plugins:
    - name: gen
      type: generate
      config: { count: 200000, chunkSize: 1000 }${SCHEMA}
    - name: out
      type: null-sink
`);
    const result = await flowengine(['run', file, '--profile-memory', '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { memory: { instances: Array<{ instance: string; peakHeapMB: number; growing: boolean }> } };
    expect(summary.memory.instances.map((instance) => instance.instance).sort()).toEqual(['gen', 'out']);
    for (const instance of summary.memory.instances) {
      expect(instance.peakHeapMB).toBeGreaterThan(0);
      expect(instance.growing).toBe(false);
    }
  });

  it('SIGINT while csv-sink writes leaves no file under the final name', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'fe-cli-out-'));
    const { file } = endlessPipeline('interrupted-file', `type: csv-sink
      config: { path: ${join(outDir, 'rows.csv')} }`);
    // Run from a folder below the workspace root: plugins are found in the nearest node_modules up the tree.
    const result = await runUntil(file, { cwd: fileURLToPath(new URL('.', import.meta.url)), ready: /stage out: in [1-9]/ });
    expect(result.code).toBe(130);
    const summary = JSON.parse(result.stdout) as { status: string; stages: Array<{ rowsIn: number }> };
    expect(summary.status).toBe('stopped');
    expect(summary.stages[1]?.rowsIn).toBeGreaterThan(0);
    expect(existsSync(join(outDir, 'rows.csv'))).toBe(false);
  });
});

describe('flowengine validate and plugins', () => {
  it('every pipeline in examples/ is valid against the plugins of this workspace', async () => {
    const repo = fileURLToPath(new URL('../../..', import.meta.url));
    const examples = readdirSync(join(repo, 'examples')).filter((name) => name.endsWith('.yml'));
    expect(examples).toContain('quickstart.yml');
    for (const name of examples) {
      const result = await flowengine(['validate', join('examples', name)], { cwd: repo });
      expect(result.code, `${name}: ${result.stderr}`).toBe(0);
      expect(result.stdout).toContain(`examples/${name}: valid`);
    }
  });

  it('validate of a file that cannot be read exits 2 with FE_CONFIG_READ_FAILED and the reason', async () => {
    const { dir } = pipelineFile('');
    const result = await flowengine(['validate', join(dir, 'missing.yml')], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error FE_CONFIG_READ_FAILED: .*missing\.yml: cannot read the pipeline file \(ENOENT\)/);
  });

  it('plugins info prints a plugin\'s options as the table generated from its config schema', async () => {
    const result = await flowengine(['plugins', 'info', 'generate']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('generate (source) from the engine (built-in)');
    expect(result.stdout).toContain('| option | type | default | description |');
    expect(result.stdout).toContain('| `count` | integer | (required) | Rows to generate. |');
    expect(result.stdout).toMatch(/\| `seed` \| integer \| `\d+` \| /);
  });

  it('plugins info of an unknown id exits 2 listing the installed plugins', async () => {
    // A folder with no node_modules up the tree: the built-ins are all there is.
    const { dir } = pipelineFile('');
    const result = await flowengine(['plugins', 'info', 'nope'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('plugins info: no plugin "nope"; installed: cast, console-sink, filter, generate, null-sink, select');
  });

  it('plugins list shows the built-ins and the installed packages\' plugins, from their manifests', async () => {
    const { dir } = pipelineFile('');
    const alone = await flowengine(['plugins', 'list', '--json'], { cwd: dir });
    expect(alone.code).toBe(0);
    expect(JSON.parse(alone.stdout)).toEqual(['cast', 'console-sink', 'filter', 'generate', 'null-sink', 'select'].map((id) => expect.objectContaining({ id, package: '(built-in)' })));
    // In the repository, the workspace's plugin packages are installed (hoisted to its node_modules).
    const workspace = await flowengine(['plugins', 'list', '--json']);
    expect(JSON.parse(workspace.stdout)).toContainEqual({ id: 'csv-source', kind: 'source', package: '@flowengine/plugin-csv' });
  });

  it('plugins preload in a workspace subfolder locks the hoisted plugins, and run starts from the lock', async () => {
    // Inside the repo, so the plugins come from the workspace root's node_modules, as for a user's
    // app in a monorepo. Preload once looked only in the project's own node_modules.
    const project = mkdtempSync(join(fileURLToPath(new URL('..', import.meta.url)), '.tmp-preload-'));
    try {
      writeFileSync(join(project, 'package.json'), '{ "name": "app", "private": true }\n');
      writeFileSync(join(project, 'one.csv'), 'id\n1\n2\n');
      writeFileSync(join(project, 'pipeline.yml'), `pipeline:
  name: hoisted
  plugins:
    - { name: csv, type: csv-source, config: { path: one.csv }, schema: { fields: [{ name: id, type: int32 }] } }
    - { name: out, type: null-sink }
`);
      const preload = await flowengine(['plugins', 'preload', 'pipeline.yml'], { cwd: project });
      expect(preload.stderr).toBe('');
      expect(preload.code).toBe(0);
      const lock = JSON.parse(readFileSync(join(project, '.flowengine/plugins.lock.json'), 'utf8')) as { plugins: Record<string, { packageName: string }> };
      expect(Object.keys(lock.plugins)).toEqual(['csv-source']);
      expect(lock.plugins['csv-source']?.packageName).toBe('@flowengine/plugin-csv');

      const run = await flowengine(['run', 'pipeline.yml', '--json'], { cwd: project });
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout) as { status: string; stages: Array<{ name: string; rowsIn: number }> };
      expect(summary.status).toBe('succeeded');
      expect(summary.stages.find((stage) => stage.name === 'out')?.rowsIn).toBe(2);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
