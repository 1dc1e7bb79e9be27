/**
 * An example of data a JSON Schema accepts, for the event-type catalog: the schema's own `examples`, `example`,
 * `default`, `const` or first `enum` value when it gives one, else a value built from its type and properties.
 * A sketch for people to read, bounded in depth; publish still checks data against the schema itself.
 */
type Schema = Record<string, unknown>;

const MAX_DEPTH = 6;

export function schemaExample(schema: Schema | null, depth = 0): unknown {
  if (schema === null || typeof schema !== 'object') return {};
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  for (const key of ['example', 'default', 'const'] as const) if (key in schema) return schema[key];
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (depth >= MAX_DEPTH) return null;
  const options = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (Array.isArray(options) && options[0]) return schemaExample(options[0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type ?? (schema.properties ? 'object' : undefined)) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      return Object.fromEntries(Object.entries(properties).map(([name, sub]) => [name, schemaExample(sub, depth + 1)]));
    }
    case 'array':
      return schema.items && typeof schema.items === 'object' ? [schemaExample(schema.items as Schema, depth + 1)] : [];
    case 'string':
      return schema.format === 'date-time' ? '2026-01-01T12:00:00Z' : schema.format === 'email' ? 'ada@example.com' : 'string';
    case 'integer':
      return typeof schema.minimum === 'number' ? Math.ceil(schema.minimum) : 1;
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1.5;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return {};
  }
}
