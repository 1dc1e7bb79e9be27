/**
 * Endpoint content filters: a MongoDB-style query (evaluated by mingo, never by hand-written code) over what a message
 * says. `checkFilter` refuses what hookd will not run, with the path to the fault; `filterVerdict` evaluates one,
 * compiled once per distinct filter text and kept in a bounded cache, so a fan-out never compiles per message.
 */
import { Query } from 'mingo';
import safeRegex from 'safe-regex2';
import { setNewest } from './bounded-map.js';
import type { Message } from './types.js';

/** A filter as stored and shown: a JSON object in MongoDB query syntax. */
export type EndpointFilter = Record<string, unknown>;

export const FILTER_LIMITS = {
  /** Bytes of the filter as JSON. */
  maxBytes: 4096,
  /** Nesting of objects and arrays. */
  maxDepth: 12,
  /** Characters of a `$regex` pattern. */
  maxRegexLength: 256,
} as const;

/** Combine whole filters: each takes a non-empty array of them. */
const LOGICAL_OPERATORS = ['$and', '$or'] as const;
/** Apply to the value at a path. */
const FIELD_OPERATORS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$regex', '$not'] as const;
export const FILTER_OPERATORS: readonly string[] = [...LOGICAL_OPERATORS, ...FIELD_OPERATORS];
/** Flags `$options` may give a `$regex`; `g` and `y` keep state between tests and are left out. */
const REGEX_FLAGS = /^[imsu]*$/;

/** The reason a skipped delivery records when the endpoint's filter does not match the message. */
export const FILTER_MISMATCH = 'filter: did not match';

export interface FilterFault {
  /** Where the fault is, from `filter`: `filter.data.amount.$foo`. */
  path: string;
  message: string;
}

/** Null when hookd takes the filter; otherwise the first fault found, with its path. */
export function checkFilter(filter: unknown): FilterFault | null {
  if (!isPlainObject(filter)) return { path: 'filter', message: 'a filter is a JSON object (or null for none)' };
  const bytes = Buffer.byteLength(JSON.stringify(filter));
  if (bytes > FILTER_LIMITS.maxBytes) {
    return { path: 'filter', message: `the filter is ${bytes} bytes as JSON, over the limit of ${FILTER_LIMITS.maxBytes}` };
  }
  return checkDocument(filter, 'filter', 1);
}

function checkDocument(doc: Record<string, unknown>, path: string, depth: number): FilterFault | null {
  if (depth > FILTER_LIMITS.maxDepth) return { path, message: `nested deeper than ${FILTER_LIMITS.maxDepth} levels` };
  for (const [key, value] of Object.entries(doc)) {
    const at = `${path}.${key}`;
    const fault = key.startsWith('$') ? checkLogical(key, value, at, depth) : checkField(key, value, at, depth);
    if (fault) return fault;
  }
  return null;
}

function checkLogical(key: string, value: unknown, at: string, depth: number): FilterFault | null {
  if (!(LOGICAL_OPERATORS as readonly string[]).includes(key)) {
    return { path: at, message: unknownOperator(key, (FIELD_OPERATORS as readonly string[]).includes(key)) };
  }
  if (!Array.isArray(value) || value.length === 0) return { path: at, message: `${key} takes a non-empty array of filters` };
  for (const [i, clause] of value.entries()) {
    if (!isPlainObject(clause)) return { path: `${at}.${i}`, message: `each ${key} clause is a filter object` };
    const fault = checkDocument(clause, `${at}.${i}`, depth + 1);
    if (fault) return fault;
  }
  return null;
}

function checkField(key: string, value: unknown, at: string, depth: number): FilterFault | null {
  if (key.split('.').some((part) => part === '')) return { path: at, message: 'a path has no empty part (`data.amount`)' };
  if (!isPlainObject(value) || !Object.keys(value).some((k) => k.startsWith('$'))) return checkValue(value, at, depth);
  return checkOperators(value, at, depth);
}

/** An operator document: `{ $gt: 100 }`, `{ $regex: "…", $options: "i" }`, `{ $not: { … } }`. */
function checkOperators(ops: Record<string, unknown>, at: string, depth: number): FilterFault | null {
  if (depth + 1 > FILTER_LIMITS.maxDepth) return { path: at, message: `nested deeper than ${FILTER_LIMITS.maxDepth} levels` };
  for (const [op, operand] of Object.entries(ops)) {
    const here = `${at}.${op}`;
    if (!op.startsWith('$')) return { path: here, message: 'operators and plain fields do not mix in one object' };
    const fault = checkOperator(op, operand, ops, here, depth + 1);
    if (fault) return fault;
  }
  return null;
}

function checkOperator(
  op: string,
  operand: unknown,
  ops: Record<string, unknown>,
  here: string,
  depth: number,
): FilterFault | null {
  switch (op) {
    case '$eq':
    case '$ne':
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return checkValue(operand, here, depth);
    case '$in':
    case '$nin':
      return Array.isArray(operand) ? checkValue(operand, here, depth) : { path: here, message: `${op} takes an array` };
    case '$exists':
      return typeof operand === 'boolean' ? null : { path: here, message: '$exists takes true or false' };
    case '$regex':
      return checkRegex(operand, ops.$options, here);
    case '$options':
      if (!('$regex' in ops)) return { path: here, message: '$options goes with a $regex' };
      return typeof operand === 'string' && REGEX_FLAGS.test(operand)
        ? null
        : { path: here, message: '$options holds regex flags among i, m, s and u' };
    case '$not':
      return isPlainObject(operand) && Object.keys(operand).length > 0 && Object.keys(operand).every((k) => k.startsWith('$'))
        ? checkOperators(operand, here, depth)
        : { path: here, message: '$not takes an operator object, such as { "$regex": "^test" }' };
    default:
      return { path: here, message: unknownOperator(op, (LOGICAL_OPERATORS as readonly string[]).includes(op)) };
  }
}

/** A literal to compare with: any JSON, within the depth limit, with no `$` keys inside (they would be operators). */
function checkValue(value: unknown, at: string, depth: number): FilterFault | null {
  if (depth > FILTER_LIMITS.maxDepth) return { path: at, message: `nested deeper than ${FILTER_LIMITS.maxDepth} levels` };
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const fault = checkValue(item, `${at}.${i}`, depth + 1);
      if (fault) return fault;
    }
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key.startsWith('$')) {
        const message = `${key} inside a value compares nothing: reach a nested field with a dotted path ({ "data.amount": { "$gt": 100 } })`;
        return { path: `${at}.${key}`, message };
      }
      const fault = checkValue(item, `${at}.${key}`, depth + 1);
      if (fault) return fault;
    }
  }
  return null;
}

/**
 * Patterns that can backtrack without bound are refused: a quantifier inside a quantified group (`(a+)+`), more than
 * a handful of quantifiers, and backreferences; with the length bound, matching stays linear in practice.
 */
function checkRegex(pattern: unknown, options: unknown, at: string): FilterFault | null {
  if (typeof pattern !== 'string') return { path: at, message: '$regex takes a pattern as a string' };
  if (pattern.length > FILTER_LIMITS.maxRegexLength) {
    return {
      path: at,
      message: `the pattern is ${pattern.length} characters, over the limit of ${FILTER_LIMITS.maxRegexLength}`,
    };
  }
  if (/\\[1-9]|\\k</.test(pattern)) return { path: at, message: 'backreferences are not allowed in a $regex' };
  try {
    new RegExp(pattern, typeof options === 'string' && REGEX_FLAGS.test(options) ? options : '');
  } catch (error) {
    return { path: at, message: `not a valid pattern: ${(error as Error).message}` };
  }
  if (!safeRegex(pattern, { limit: 10 })) {
    return { path: at, message: 'the pattern could backtrack without bound (a quantifier inside a quantified group)' };
  }
  return null;
}

function unknownOperator(op: string, misplaced: boolean): string {
  if (misplaced) {
    return ['$and', '$or'].includes(op)
      ? `${op} combines whole filters: put it at the top of the filter or inside another $and/$or`
      : `${op} applies to a field: { "data.amount": { "${op}": … } }`;
  }
  return `unknown operator ${op}; filters take ${FILTER_OPERATORS.join(', ')} (and $options with $regex)`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Most distinct filter texts kept compiled; past it the oldest is dropped (and compiled again when next used). */
const MAX_COMPILED = 10_000;
const compiled = new Map<string, Query>();

/** The filter compiled, from the cache when its text was seen before. */
function compile(filter: string): Query {
  const hit = compiled.get(filter);
  if (hit) return hit;
  const query = new Query(JSON.parse(filter) as EndpointFilter, {});
  setNewest(compiled, filter, query, MAX_COMPILED);
  return query;
}

/** Whether the subject matches the filter (its JSON text, as stored). */
export function filterMatches(filter: string, subject: unknown): boolean {
  return compile(filter).test(subject as Record<string, unknown>);
}

export type FilterVerdict = { matches: true } | { matches: false; failing: { path: string; clause: EndpointFilter } | null };

/**
 * Whether the subject matches, and when not, the first top-level clause (or `$and`/`$or`) that fails on its own:
 * what a person reading "why didn't my endpoint get it?" wants. Only the test route pays for the second step.
 */
export function filterVerdict(filter: EndpointFilter, subject: unknown): FilterVerdict {
  if (filterMatches(JSON.stringify(filter), subject)) return { matches: true };
  for (const [key, value] of Object.entries(filter)) {
    const clause = { [key]: value };
    if (!filterMatches(JSON.stringify(clause), subject)) return { matches: false, failing: { path: `filter.${key}`, clause } };
  }
  return { matches: false, failing: null };
}

/**
 * A publish's `skip`: holds the message back from an endpoint whose filter its subject does not match. The subject is
 * built on first need, so a fan-out to endpoints without filters never parses the payload.
 */
export function skipByFilter(subject: () => unknown): (endpoint: { filter: string | null }) => string | null {
  let built: { value: unknown } | null = null;
  return (endpoint) => {
    if (endpoint.filter === null) return null;
    built ??= { value: subject() };
    try {
      return filterMatches(endpoint.filter, built.value) ? null : FILTER_MISMATCH;
    } catch (error) {
      // Filters are checked when saved; one that still fails (made by another version, say) holds the message back.
      return `filter: could not be evaluated (${(error as Error).message})`;
    }
  };
}

/**
 * What a filter sees of a message: a published event's envelope `{type, timestamp, data}`; for a request a source
 * took in, `{body, headers, query}` (the headers kept, lower-case; the URL's query parameters) with the body parsed
 * when JSON or form-encoded (else its text). Built from the message alone, so testing a filter on a past message sees what its fan-out saw.
 */
export function filterSubject(message: Pick<Message, 'payload' | 'headers' | 'query'>): unknown {
  if (!message.headers) return parseJson(message.payload) ?? {};
  const body = parseBody(message.payload, message.headers['content-type'] ?? '');
  return { body, headers: message.headers, query: message.query ?? {} };
}

function parseBody(text: string, contentType: string): unknown {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
  if (type === '' || type === 'application/json' || type.endsWith('+json')) return parseJson(text) ?? text;
  return text;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
