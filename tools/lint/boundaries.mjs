#!/usr/bin/env node
// Fails when an import crosses a package boundary the architecture forbids:
//  - a plugin's shipped code (plugins/*, templates/plugin; not its tests) imports any @flowengine/* or
//    flowengine package but @flowengine/sdk — tests may drive whole pipelines through the core;
//  - any package imports another package's src/ (by relative path or by a deep specifier);
//  - a package imports one that sits later in sdk <- isolation <- core <- cli.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const layers = ['@flowengine/sdk', '@flowengine/isolation', '@flowengine/core', 'flowengine'];
const ours = /^(@flowengine\/[^/]+|flowengine|create-flowengine-plugin)(\/.*)?$/;

const packageDirs = [];
for (const group of ['packages', 'plugins']) {
  for (const name of readdirSync(join(root, group))) {
    const dir = join(root, group, name);
    try { packageDirs.push({ dir, name: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name }); } catch { /* not a package */ }
  }
}
packageDirs.push({ dir: join(root, 'templates/plugin'), name: '(template)' });

const problems = [];
for (const pkg of packageDirs) {
  for (const file of sourceFiles(pkg.dir)) checkFile(pkg, file);
}

if (problems.length > 0) {
  console.error(`boundary check: ${problems.length} forbidden import(s)`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`boundary check: ${packageDirs.length} packages, no forbidden imports`);

function* sourceFiles(dir) {
  let entries;
  try { entries = readdirSync(dir); } catch { return; }
  for (const entry of entries) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(m|c)?[tj]sx?$/.test(entry) && !entry.endsWith('.d.ts')) yield path;
  }
}

function checkFile(pkg, file) {
  const text = readFileSync(file, 'utf8');
  const specifiers = text.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm);
  const where = relative(root, file);
  const isTest = /(^|[\\/])test[\\/]|\.test(-d)?\.[cm]?[tj]s$/.test(relative(pkg.dir, file));
  const isPlugin = !pkg.dir.includes(`${sep}packages${sep}`) && !isTest;
  for (const match of specifiers) {
    const spec = match[1] ?? match[2] ?? match[3];
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec);
      const owner = packageDirs.find((p) => target === p.dir || target.startsWith(p.dir + sep));
      if (owner !== undefined && owner.dir !== pkg.dir) problems.push(`${where}: imports ${spec}, a file of ${owner.name}; import the package by name`);
      continue;
    }
    const ourMatch = ours.exec(spec);
    if (ourMatch === null) continue;
    const [, target, subpath] = ourMatch;
    if (subpath !== undefined && /\/(src|dist)(\/|$)/.test(subpath)) problems.push(`${where}: imports ${spec}, another package's internals; use its exports map`);
    if (isPlugin && target !== '@flowengine/sdk') problems.push(`${where}: a plugin imports ${target}; plugins may import only @flowengine/sdk`);
    const from = layers.indexOf(pkg.name);
    const to = layers.indexOf(target);
    if (from !== -1 && to > from) problems.push(`${where}: ${pkg.name} imports ${target}; dependencies point sdk <- isolation <- core <- cli`);
  }
}
