#!/usr/bin/env node
// `npm run demo`: makes sure examples/data/orders.csv exists (1M deterministic rows), then runs
// examples/quickstart.yml with the flowengine CLI, which prints the run summary.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateOrders } from './generate-orders.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const data = join(root, 'examples/data/orders.csv');
if (!existsSync(data)) {
  console.log('generating examples/data/orders.csv (1,000,000 rows, once) ...');
  generateOrders(data, 1_000_000);
}
mkdirSync(join(root, 'examples/out'), { recursive: true });
const cli = join(root, 'packages/cli/dist/bin.js');
if (!existsSync(cli)) {
  console.error('packages/cli is not built: run `npm run build` first');
  process.exit(1);
}
const run = spawnSync(process.execPath, [cli, 'run', 'examples/quickstart.yml', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 1);
