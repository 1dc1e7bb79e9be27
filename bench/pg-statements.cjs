// Counts the PostgreSQL statements each process sends, by prepared name or first words, for a look at round trips:
//   NODE_OPTIONS="--require $PWD/bench/pg-statements.cjs" BENCH_BACKENDS=PostgreSQL npm run bench -- delivery
// Every node process started with it that loads pg (the bench, each hookd) writes <pid>.txt to
// HOOKD_PG_STATEMENTS_DIR (default: hookd-pg-statements in the temporary folder) each second and at exit: its
// command line, then a count and a statement a line.
const { mkdirSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

function count(pg) {
  const dir = process.env.HOOKD_PG_STATEMENTS_DIR ?? join(tmpdir(), 'hookd-pg-statements');
  const counts = new Map();
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function counted(config, ...rest) {
    const text = typeof config === 'string' ? config : (config?.name ?? config?.text ?? '?');
    const key = String(text).replace(/\s+/g, ' ').trim().slice(0, 80);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return query.call(this, config, ...rest);
  };
  const write = () => {
    if (counts.size === 0) return;
    mkdirSync(dir, { recursive: true });
    const lines = [...counts].sort((a, b) => b[1] - a[1]).map(([statement, n]) => `${n}\t${statement}`);
    writeFileSync(join(dir, `${process.pid}.txt`), `${process.argv.slice(1).join(' ')}\n${lines.join('\n')}\n`);
  };
  // The bench ends hookd with SIGKILL: what was counted up to the last second is on disk.
  setInterval(write, 1000).unref();
  process.on('exit', write);
}

let pg = null;
try {
  pg = require(require.resolve('pg', { paths: [__dirname] }));
} catch {
  // a process that cannot reach pg sends nothing to count
}
if (pg) count(pg);
