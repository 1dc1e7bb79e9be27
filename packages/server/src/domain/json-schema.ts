/**
 * The JSON Schemas (draft-07) users give hookd, an event type's or a source's, compiled into validators.
 * Validates as given: no coercion, no defaults, nothing removed, so what is delivered is what was published or received.
 * Not strict: keywords ajv does not know (`example`, vendor extensions) are ignored, as JSON Schema says.
 * addUsedSchema off: two schemas may use the same `$id` without clashing in ajv's registry.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false, addUsedSchema: false });
addFormats(ajv);

/** Throws with ajv's message when `schema` is not a valid JSON Schema, or is asynchronous (its answer would be a promise). */
export function compileJsonSchema(schema: Record<string, unknown>): ValidateFunction {
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } finally {
    // The validator keeps what it needs; ajv's own cache would grow with every recompile of a cached schema.
    ajv.removeSchema(schema);
  }
  if ((validate as { $async?: boolean }).$async) throw new Error('asynchronous schemas ($async) are not supported');
  return validate;
}
