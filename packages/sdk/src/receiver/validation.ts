/**
 * Payload validation with whatever the user already has: any Standard Schema (zod 4, valibot 1, arktype
 * all carry `~standard.validate`), or a plain function returning issues, which is how a JSON Schema
 * validator plugs in. With ajv:
 *
 *   const validate = new Ajv().compile(jsonSchema);
 *   createReceiver({ schema: (payload) => (validate(payload) ? null : validate.errors) });
 */

/** The part of the Standard Schema interface the receiver uses (https://standardschema.dev). */
export interface StandardSchemaLike {
  readonly '~standard': {
    readonly version: 1;
    readonly validate: (value: unknown) => StandardResult | Promise<StandardResult>;
  };
}

type StandardResult =
  | { readonly value: unknown; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PathSegment> | undefined }> };

type PathSegment = PropertyKey | { readonly key: PropertyKey };

/** What a validator function may return per issue: a message, a Standard-like issue, or an ajv error object. */
export type IssueInput = string | { message?: string; path?: ReadonlyArray<PathSegment> | string; instancePath?: string };

/** Returns the issues, or null / undefined / [] when the payload is valid. */
export type PayloadValidatorFunction = (
  payload: unknown,
) => ReadonlyArray<IssueInput> | null | undefined | Promise<ReadonlyArray<IssueInput> | null | undefined>;

export type PayloadSchema = StandardSchemaLike | PayloadValidatorFunction;

/** One issue as the receiver answers it: where (keys from the root) and what. */
export interface ValidationIssue {
  path: (string | number)[];
  message: string;
}

export type ValidationResult = { ok: true; value: unknown } | { ok: false; issues: ValidationIssue[] };

export async function validatePayload(schema: PayloadSchema, payload: unknown): Promise<ValidationResult> {
  if ('~standard' in schema) {
    const result = await schema['~standard'].validate(payload);
    if (result.issues === undefined) return { ok: true, value: result.value };
    return { ok: false, issues: result.issues.map((issue) => ({ path: standardPath(issue.path), message: issue.message })) };
  }
  const found = (await (schema as PayloadValidatorFunction)(payload)) as unknown;
  // A bare boolean (an ajv function passed directly) is read as valid / invalid without detail.
  if (found === true || found === null || found === undefined) return { ok: true, value: payload };
  if (found === false) return { ok: false, issues: [{ path: [], message: 'the payload does not match the schema' }] };
  const issues = (found as ReadonlyArray<IssueInput>).map(toIssue);
  return issues.length === 0 ? { ok: true, value: payload } : { ok: false, issues };
}

function standardPath(path: ReadonlyArray<PathSegment> | undefined): (string | number)[] {
  return (path ?? []).map((segment) => {
    const key = typeof segment === 'object' ? segment.key : segment;
    return typeof key === 'number' ? key : String(key);
  });
}

function toIssue(input: IssueInput): ValidationIssue {
  if (typeof input === 'string') return { path: [], message: input };
  const message = input.message ?? 'invalid';
  if (typeof input.path === 'object') return { path: standardPath(input.path), message };
  const pointer = input.path ?? input.instancePath ?? '';
  return { path: pointerPath(pointer), message };
}

/** A JSON Pointer (`/data/amount`, ajv's instancePath) as keys. */
function pointerPath(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'));
}
