// The boundary lint, run for real on a throw-away repo: a copy of boundaries.mjs sits at
// <tmp>/tools/lint/, so it takes <tmp> as the repo root and checks the packages written there.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./boundaries.mjs', import.meta.url));
let root;

afterEach(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

/** Writes a repo with `files` (path -> text) and the lint beside it, runs the lint, returns its result. */
function lint(files) {
  root = mkdtempSync(join(tmpdir(), 'flowengine-boundaries-'));
  const manifests = {
    'packages/sdk/package.json': { name: '@flowengine/sdk' },
    'packages/core/package.json': { name: '@flowengine/core' },
    'plugins/geo/package.json': { name: '@flowengine/plugin-geo' },
  };
  for (const [path, manifest] of Object.entries(manifests)) write(path, JSON.stringify(manifest));
  for (const [path, text] of Object.entries(files)) write(path, text);
  mkdirSync(join(root, 'tools/lint'), { recursive: true });
  copyFileSync(script, join(root, 'tools/lint/boundaries.mjs'));
  const run = spawnSync(process.execPath, [join(root, 'tools/lint/boundaries.mjs')], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function write(path, text) {
  const target = join(root, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
}

const allowed = {
  'packages/sdk/src/index.ts': "export const sdk = 1;\n",
  'packages/core/src/index.ts': "import { sdk } from '@flowengine/sdk';\nexport const core = sdk;\n",
  'plugins/geo/src/index.ts': "import { defineTransform } from '@flowengine/sdk';\nimport { join } from 'node:path';\n",
  // A plugin's tests may drive whole pipelines through the core.
  'plugins/geo/test/pipeline.test.ts': "import { runPipeline } from '@flowengine/core';\n",
  'plugins/geo/src/geo.test.ts': "const core = await import('@flowengine/core');\n",
  'templates/plugin/variants/transform/src/index.ts': "import { defineTransform } from '@flowengine/sdk';\n",
};

it('passes a repo whose imports follow the rules, tests of plugins included', () => {
  const run = lint(allowed);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('boundary check: 4 packages, no forbidden imports');
});

it('fails on each kind of forbidden import, naming the file and the rule', () => {
  const run = lint({
    ...allowed,
    'plugins/geo/src/index.ts': "import { runPipeline } from '@flowengine/core';\n",
    'plugins/geo/src/lazy.ts': "export const host = () => import('@flowengine/isolation');\n",
    'plugins/geo/src/again.ts': "export * from 'flowengine';\n",
    'templates/plugin/variants/sink/src/index.ts': "import '@flowengine/core';\n",
    'packages/sdk/src/up.ts': "import { core } from '@flowengine/core';\n",
    'packages/core/src/reach.ts': "import { sdk } from '../../sdk/src/index.js';\n",
    'packages/core/src/deep.ts': "import { Chunk } from '@flowengine/sdk/src/chunk/chunk.js';\n",
  });
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  const problems = [
    'plugins/geo/src/index.ts: a plugin imports @flowengine/core; plugins may import only @flowengine/sdk',
    'plugins/geo/src/lazy.ts: a plugin imports @flowengine/isolation; plugins may import only @flowengine/sdk',
    'plugins/geo/src/again.ts: a plugin imports flowengine; plugins may import only @flowengine/sdk',
    'templates/plugin/variants/sink/src/index.ts: a plugin imports @flowengine/core; plugins may import only @flowengine/sdk',
    'packages/sdk/src/up.ts: @flowengine/sdk imports @flowengine/core; dependencies point sdk <- isolation <- core <- cli',
    'packages/core/src/reach.ts: imports ../../sdk/src/index.js, a file of @flowengine/sdk; import the package by name',
    "packages/core/src/deep.ts: imports @flowengine/sdk/src/chunk/chunk.js, another package's internals; use its exports map",
  ];
  // Exactly these, in any order: the allowed imports around them (a plugin test's core import) are not reported.
  const [header, ...reported] = run.stderr.trimEnd().split('\n');
  expect(header).toContain(`boundary check: ${problems.length} forbidden import(s)`);
  expect(reported.map((line) => line.trim()).sort()).toEqual([...problems].sort());
});
