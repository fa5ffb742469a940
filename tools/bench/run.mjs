// `node tools/bench/run.mjs <suite> [args]` runs tools/bench/<suite>.mjs in its own process, so
// one suite's heap and JIT state never colour another's figures. No suite (or an unknown one)
// lists what there is.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const suites = readdirSync(here)
  .filter((name) => name.endsWith('.mjs') && name !== 'run.mjs' && !name.startsWith('_'))
  .map((name) => name.slice(0, -'.mjs'.length))
  .sort();

const [suite, ...args] = process.argv.slice(2);
if (suite === undefined || !suites.includes(suite)) {
  if (suite !== undefined) console.error(`bench: unknown suite "${suite}"`);
  console.error(`usage: npm run bench -- <suite> [args]   (node tools/bench/run.mjs <suite> [args])\nsuites: ${suites.join(', ') || '(none yet)'}`);
  process.exit(suite === undefined ? 0 : 2);
}

const result = spawnSync(process.execPath, ['--expose-gc', join(here, `${suite}.mjs`), ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
