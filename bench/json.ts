/**
 * JSON laid out the way the repository's formatter (Biome) lays it out, so a fresh results.json passes
 * `npm run lint`: objects one key per line; arrays of plain values on one line when the line fits,
 * numbers otherwise filled across lines, anything else one item per line.
 */
const LINE_WIDTH = 130;

/** `lead` and `trail`: how many characters sit before and after the value on its first and last line. */
export function formatJson(value: unknown, indent = '', lead = 0, trail = 0): string {
  if (Array.isArray(value)) return formatArray(value, indent, lead, trail);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const inner = `${indent}  `;
    const lines = entries.map(([key, v], i) => {
      const head = `${inner}${JSON.stringify(key)}: `;
      return head + formatJson(v, inner, head.length, i < entries.length - 1 ? 1 : 0);
    });
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function formatArray(values: unknown[], indent: string, lead: number, trail: number): string {
  if (values.length === 0) return '[]';
  const inner = `${indent}  `;
  const plain = values.every((item) => item === null || typeof item !== 'object');
  if (plain) {
    const items = values.map((item) => JSON.stringify(item) ?? 'null');
    const flat = `[${items.join(', ')}]`;
    if (lead + flat.length + trail <= LINE_WIDTH) return flat;
    if (values.every((item) => typeof item === 'number')) return `[\n${fill(items, inner)}\n${indent}]`;
  }
  const lines = values.map((item, i) => inner + formatJson(item, inner, inner.length, i < values.length - 1 ? 1 : 0));
  return `[\n${lines.join(',\n')}\n${indent}]`;
}

function fill(items: string[], indent: string): string {
  const lines: string[] = [];
  let line = '';
  items.forEach((item, i) => {
    const piece = i < items.length - 1 ? `${item},` : item;
    if (line !== '' && indent.length + line.length + 1 + piece.length > LINE_WIDTH) {
      lines.push(indent + line);
      line = piece;
    } else {
      line = line === '' ? piece : `${line} ${piece}`;
    }
  });
  lines.push(indent + line);
  return lines.join('\n');
}
