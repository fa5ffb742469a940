// Scaffolds each kind with the built CLI and runs the new package's own typecheck and `npm test`
// against this workspace's SDK and isolation host.
//
// Why a symlink and not tarballs: the scaffold's node_modules is a link to the workspace's, so
// `@flowengine/sdk` and `@flowengine/isolation` are the workspace packages as just built, and
// typescript/vitest are the workspace's pinned copies: no network, seconds instead of a minute per
// kind. What a symlink cannot show (a broken exports map or `files` list) is pack.test.ts's job,
// and the real registry path is tools/e2e/publish.e2e.mjs's.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const workspaceModules = fileURLToPath(new URL('../../../node_modules', import.meta.url));
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'flowengine-template-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe.each(['source', 'transform', 'sink'] as const)('a scaffolded %s', (kind) => {
  let dir: string;

  beforeAll(async () => {
    const run = await runCli([kind, '--name', `flowengine-plugin-tpl-${kind}`, '--kind', kind, '--yes'], work);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    dir = join(work, kind);
    await symlink(workspaceModules, join(dir, 'node_modules'), 'dir');
  });

  it('typechecks (src and test, strict)', async () => {
    const result = await npm(['run', 'typecheck'], dir);
    expect(result.code, result.output).toBe(0);
  });

  it('passes its own npm test (build, then the compliance suite and examples in real workers)', async () => {
    const result = await npm(['test'], dir);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/Tests\s+\d+ passed/);
    expect(result.output).not.toMatch(/skipped|todo/);
    // What `npm publish` would ship: the build output the manifest points at.
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { flowengine: { plugins: Array<{ entry: string }> } };
    await expect(readFile(join(dir, manifest.flowengine.plugins[0]!.entry), 'utf8')).resolves.toContain(`define${kind[0]!.toUpperCase()}${kind.slice(1)}`);
  });
});

function npm(args: readonly string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, CI: '1', NO_COLOR: '1', npm_config_update_notifier: 'false' };
    // The outer vitest forces colours for its workers; the inner one's summary must stay plain text.
    delete env.FORCE_COLOR;
    execFile('npm', [...args], { cwd, env, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, output: `${stdout}\n${stderr}` });
    });
  });
}
