/** Records as people read them: lists as aligned columns, one record as aligned `field  value` lines. */
import type { Paint } from './output.js';

export interface Column<T> {
  header: string;
  value(row: T): string;
  /** Colours the (already padded) cell; the width is measured before. */
  paint?(p: Paint, text: string, row: T): string;
  /** Longest cell on a terminal before it is cut with `…`; a pipe gets every character. */
  max?: number;
}

function cut(text: string, max: number | undefined, terminal: boolean): string {
  if (!terminal || max === undefined || text.length <= max) return text;
  return `${text.slice(0, max - 1)}…`;
}

/**
 * Headers in capitals, columns two spaces apart, the last one not padded (no trailing spaces). On a terminal of
 * `width` columns, the last column is also cut to what is left of the line, so a row never wraps.
 */
export function table<T>(p: Paint, columns: Column<T>[], rows: T[], terminal = p.enabled, width?: number): string {
  const cells = rows.map((row) => columns.map((c) => cut(oneLine(c.value(row)), c.max, terminal)));
  if (terminal && width !== undefined && columns.length > 1) {
    const last = columns.length - 1;
    const before = columns
      .slice(0, last)
      .reduce((sum, c, i) => sum + 2 + Math.max(c.header.length, ...cells.map((r) => (r[i] as string).length)), 0);
    const room = Math.max(columns[last]?.header.length ?? 0, 10, width - before);
    for (const r of cells) r[last] = cut(r[last] as string, room, true);
  }
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] as string).length)));
  const line = (texts: string[], paintCell: (i: number, text: string) => string) =>
    texts
      .map((text, i) => paintCell(i, i === texts.length - 1 ? text : text.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  const header = line(
    columns.map((c) => c.header.toUpperCase()),
    (_, text) => p.bold(text),
  );
  const body = cells.map((texts, r) =>
    line(texts, (i, text) => {
      const column = columns[i] as Column<T>;
      return column.paint ? column.paint(p, text, rows[r] as T) : text;
    }),
  );
  return `${[header, ...body].join('\n')}\n`;
}

/** One record: a field per line, names aligned; objects and lists as compact JSON. */
export function record(p: Paint, fields: [string, unknown][]): string {
  const width = Math.max(...fields.map(([name]) => name.length));
  return `${fields.map(([name, value]) => `${p.dim(`${name}:`.padEnd(width + 1))}  ${show(value)}`).join('\n')}\n`;
}

/** A value as a cell shows it: `—` for none, JSON for objects and lists. */
export function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ');
}
