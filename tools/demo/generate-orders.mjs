#!/usr/bin/env node
// Writes a deterministic orders CSV: id,ts,customer,amount,note,status.
//   node tools/demo/generate-orders.mjs [rows=1000000] [path=examples/data/orders.csv] [--force]
// The same row count always gives the same bytes (a seeded PRNG, no clock), so demo output and
// bench inputs are comparable between machines and runs. An existing file is kept unless --force.
import { closeSync, existsSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const STATUSES = ['new', 'paid', 'shipped', 'delivered', 'cancelled'];
const NOTES = ['', 'gift wrap', 'leave at door, ring twice', 'customer said "urgent"', 'fragile', 'call "Bob", not "Alice"', 'café – naïve ✓'];

/** mulberry32: tiny, fast, and the same sequence everywhere. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function csvQuote(text) {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Generates `rows` rows into `path` (through a temporary file, so a killed run leaves nothing half-written). */
export function generateOrders(path, rows) {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.part`;
  const fd = openSync(temp, 'w');
  const random = prng(42);
  let ts = 1_700_000_000_000;
  let lines = ['id,ts,customer,amount,note,status'];
  let bytes = 0;
  for (let id = 1; id <= rows; id++) {
    ts += Math.floor(random() * 2000);
    const customer = `cust-${Math.floor(random() * 2_000_000_000).toString(36).padStart(7, '0')}`;
    const amount = Math.round(random() * 20_000) / 100; // 0.00..200.00, about half above 100
    const note = random() < 0.3 ? NOTES[Math.floor(random() * NOTES.length)] : '';
    const status = STATUSES[Math.floor(random() * STATUSES.length)];
    lines.push(`${id},${ts},${customer},${amount},${csvQuote(note)},${status}`);
    if (lines.length === 10_000) {
      bytes += writeSync(fd, `${lines.join('\n')}\n`);
      lines = [];
    }
  }
  if (lines.length > 0) bytes += writeSync(fd, `${lines.join('\n')}\n`);
  closeSync(fd);
  renameSync(temp, path);
  return bytes;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2).filter((arg) => arg !== '--force');
  const rows = Number(args[0] ?? 1_000_000);
  const path = resolve(args[1] ?? 'examples/data/orders.csv');
  if (existsSync(path) && !process.argv.includes('--force')) {
    console.log(`${path} exists; keeping it (--force to regenerate)`);
  } else {
    const started = performance.now();
    const bytes = generateOrders(path, rows);
    console.log(`wrote ${rows} rows (${(bytes / 1e6).toFixed(1)} MB) to ${path} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}
