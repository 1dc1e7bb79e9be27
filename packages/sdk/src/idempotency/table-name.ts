/** Table names go into SQL text, so only plain identifiers (optionally `schema.table`) are accepted, each quoted. */
export function tableName(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((part) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(part))) {
    throw new RangeError(`table must be a plain identifier or schema.table, got "${name}"`);
  }
  return parts.map((part) => `"${part}"`).join('.');
}
