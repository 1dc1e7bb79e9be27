import assert from 'node:assert/strict';
import { test } from 'node:test';
import { schemaExample } from './schema-example.js';

test('an example follows the schema: its own examples first, else its types and properties', () => {
  assert.deepEqual(schemaExample(null), {});
  assert.deepEqual(schemaExample({ type: 'object', examples: [{ id: 7 }] }), { id: 7 });
  assert.deepEqual(
    schemaExample({
      type: 'object',
      properties: {
        id: { type: 'integer', minimum: 1000 },
        email: { type: 'string', format: 'email' },
        status: { enum: ['paid', 'void'] },
        lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } } } },
        note: { type: ['null', 'string'] },
      },
    }),
    { id: 1000, email: 'ada@example.com', status: 'paid', lines: [{ sku: 'string' }], note: 'string' },
  );
});
