/**
 * Runs the benchmark figures and records them: `npm run bench` runs all, `npm run bench -- <name> …` some.
 * Every module in bench/figures/ default-exports a Figure (see figure.ts); adding one needs no change here.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Figure, Row } from './figure.js';
import { formatJson } from './json.js';

const figuresDir = fileURLToPath(new URL('./figures/', import.meta.url));
const resultsPath = fileURLToPath(new URL('./results.json', import.meta.url));

async function loadFigures(): Promise<Figure[]> {
  const files = readdirSync(figuresDir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .sort();
  const figures: Figure[] = [];
  for (const file of files) {
    const loaded = ((await import(new URL(`./figures/${file}`, import.meta.url).href)) as { default?: Figure }).default;
    if (!loaded || typeof loaded.name !== 'string' || typeof loaded.run !== 'function') {
      throw new Error(`bench/figures/${file} must default-export { name, description, run }`);
    }
    figures.push(loaded);
  }
  return figures;
}

function formatNumber(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3);
}

function goalCell(row: Row): string {
  const verdict = row.met ? 'met' : 'NOT met';
  if (row.goal !== undefined) return `${verdict} (>= ${row.goal}x)`;
  if (row.bound !== undefined) return `${verdict} (${row.better === 'higher' ? '>=' : '<'} ${row.bound} ${row.unit})`;
  return '-';
}

function printTable(rows: readonly Row[]): void {
  const lines = rows.map((row) => [
    row.figure,
    `${formatNumber(row.value)} ${row.unit}`,
    row.baseline ? `${formatNumber(row.baseline.value)} ${row.unit} (${row.baseline.name})` : '-',
    row.ratio === null ? '-' : `${row.ratio.toFixed(2)}x`,
    goalCell(row),
  ]);
  const header = ['figure', 'value', 'baseline', 'ratio', 'goal'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => (line[i] as string).length)));
  const format = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line));
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const all = await loadFigures();
  const unknown = wanted.filter((name) => !all.some((figure) => figure.name === name));
  if (unknown.length > 0) {
    console.error(`unknown figure: ${unknown.join(', ')}; known: ${all.map((figure) => figure.name).join(', ')}`);
    process.exit(2);
  }
  const chosen = wanted.length === 0 ? all : all.filter((figure) => wanted.includes(figure.name));
  const rows: Row[] = [];
  for (const figure of chosen) {
    console.error(`running ${figure.name}: ${figure.description}`);
    rows.push(...(await figure.run()));
  }
  printTable(rows);
  const cpu = cpus();
  const results = {
    machine: {
      cpu: cpu[0]?.model ?? 'unknown',
      cores: cpu.length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      os: `${platform()} ${release()} ${arch()}`,
    },
    node: process.version,
    date: new Date().toISOString(),
    figures: chosen.map((figure) => figure.name),
    rows,
  };
  writeFileSync(resultsPath, `${formatJson(results)}\n`);
  console.error(`wrote ${resultsPath}`);
}

await main();
