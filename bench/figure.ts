/** The shape every benchmark figure has, so run.ts can list, run and record any of them. */

/**
 * One line of the printed table and of results.json.
 * - `figure`: what was measured, in words (`standard verify, 1 KiB: @hookd/sdk vs svix`).
 * - `value` and `unit`: the measurement (`ops/s`, `deliveries/s`, `ms p99`).
 * - `better`: whether a higher or a lower value is the better one.
 * - `baseline`: the same measurement of what we compare against, taken in the same run, in the same unit;
 *   null for a figure that stands alone.
 * - `ratio`: times better than the baseline (value/baseline when higher is better, baseline/value when
 *   lower is), so above 1 always means ahead; null without a baseline.
 * - `goal` and `met`: the ratio aimed for, if there is one, and whether this run reached it.
 * - `bound`: the value aimed for instead of a ratio (`p99 under 25 ms`: 25, with `better` saying on which side of it
 *   the value must land); `met` says whether it did.
 * - `details`: anything else worth keeping (per-round values, sample sizes, settings).
 */
export interface Row {
  figure: string;
  value: number;
  unit: string;
  better: 'higher' | 'lower';
  baseline: { name: string; value: number } | null;
  ratio: number | null;
  goal?: number;
  bound?: number;
  met?: boolean;
  details?: Record<string, unknown>;
}

/** A module in bench/figures/ default-exports one of these; `name` is what `npm run bench -- <name>` selects. */
export interface Figure {
  name: string;
  description: string;
  run(): Promise<Row[]>;
}

/** A row compared with a baseline, its ratio oriented so that above 1 is better, and checked against a goal or a bound. */
export function compared(row: Omit<Row, 'ratio' | 'met' | 'baseline'> & { baseline: { name: string; value: number } }): Row {
  const { value, baseline, better } = row;
  const ratio = better === 'higher' ? value / baseline.value : baseline.value / value;
  const met = row.goal !== undefined ? ratio >= row.goal : withinBound(row);
  return { ...row, ratio, ...(met === undefined ? {} : { met }) };
}

function withinBound({ value, bound, better }: Pick<Row, 'value' | 'bound' | 'better'>): boolean | undefined {
  if (bound === undefined) return undefined;
  return better === 'higher' ? value >= bound : value < bound;
}

/** A row without a baseline, checked against an absolute bound if it has one. */
export function bounded(row: Omit<Row, 'ratio' | 'met' | 'baseline'>): Row {
  const met = withinBound(row);
  return { ...row, baseline: null, ratio: null, ...(met === undefined ? {} : { met }) };
}
