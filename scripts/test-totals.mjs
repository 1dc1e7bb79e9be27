// A node:test reporter that writes the run's overall counts as one JSON line, so scripts/test.mjs can print one
// total for its two runs (shared and solo) instead of leaving the last word to the small solo group. The counts
// are the run's closing diagnostics ("tests 12", "pass 12", …); the last of each is the whole run's.
const KEYS = { tests: 'tests', pass: 'passed', fail: 'failed', cancelled: 'cancelled', skipped: 'skipped', todo: 'todo' };

export default async function* totals(source) {
  const counts = {};
  for await (const event of source) {
    if (event.type !== 'test:diagnostic' || event.data.nesting !== 0) continue;
    const [key, value] = String(event.data.message).split(' ');
    if (key in KEYS) counts[KEYS[key]] = Number(value);
    else if (key === 'duration_ms') counts.durationMs = Number(value);
  }
  yield `${JSON.stringify(counts)}\n`;
}
