// The prompt path, through a real pseudo-terminal: util-linux `script` gives the CLI a TTY on
// stdin and stdout, so @clack/prompts runs exactly as it does for a user. Input is sent only once
// the prompt it answers has been drawn (no sleeps), so a slow machine makes the test slower, not flaky.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BIN } from './run-cli.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'create-flowengine-plugin-tty-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Runs the CLI on a pseudo-terminal; `script` answers each `[waitFor, keys]` pair in turn. */
function onTty(args: string, steps: ReadonlyArray<readonly [string, string]>): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.CI;
    const command = `stty cols 200 rows 50; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${args}`;
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: work, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let next = 0;
    const onData = (data: Buffer): void => {
      output += data.toString();
      const step = steps[next];
      if (step !== undefined && output.includes(step[0])) {
        next += 1;
        child.stdin.write(step[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

it('asks for folder, name and kind on a terminal, and scaffolds what was answered', async () => {
  const run = await onTty('', [
    ['Where should the plugin go?', 'tty-plugin\r'],
    ['npm package name', '\r'],
    ['What kind of plugin?', '\u001b[B\r'], // one down from the default (transform): sink
  ]);
  expect(run.code, run.output).toBe(0);
  expect(run.output).toContain('Created flowengine-plugin-tty-plugin: a sink plugin with id "tty-plugin-sink"');
  const pkg = JSON.parse(await readFile(join(work, 'tty-plugin/package.json'), 'utf8')) as { flowengine: { plugins: Array<{ kind: string }> } };
  expect(pkg.flowengine.plugins[0]?.kind).toBe('sink');
});

it('Ctrl-C at a prompt exits 130 with FE_CREATE_CANCELLED and writes nothing', async () => {
  const run = await onTty('', [['Where should the plugin go?', 'never-written\u0003']]);
  expect(run.code, run.output).toBe(130);
  expect(run.output).toContain('FE_CREATE_CANCELLED');
  await expect(stat(join(work, 'never-written'))).rejects.toThrow(/ENOENT/);
});

it('says why a typed folder cannot be used, with the same check as --yes, and keeps its files', async () => {
  const taken = join(work, 'taken');
  await mkdir(taken);
  await writeFile(join(taken, 'notes.txt'), 'mine');
  // The absolute path shows only in the prompt's complaint (the answer typed was 'taken').
  const run = await onTty('', [['Where should the plugin go?', 'taken\r'], [taken, '\u0003']]);
  expect(run.code, run.output).toBe(130);
  expect(run.output).toContain(`${taken}: expected a new or empty folder, found notes.txt; nothing was written.`);
  expect(await readFile(join(taken, 'notes.txt'), 'utf8')).toBe('mine');
  await expect(stat(join(taken, 'package.json'))).rejects.toThrow(/ENOENT/);
});

it('--yes on a terminal never prompts', async () => {
  const run = await onTty('quiet --yes', []);
  expect(run.code, run.output).toBe(0);
  expect(run.output).not.toContain('What kind of plugin?');
  expect(run.output).toContain('a transform plugin with id "quiet"');
});
