/**
 * The content criteria of a message search: `path:value`, where the path walks the payload as delivered (dot-separated
 * keys, e.g. `data.order_id`) and the value is a JSON scalar. `data.order_id:1234` matches the number 1234,
 * `data.order_id:"1234"` the string, `data.status:paid` the string "paid" (a bare word that is not JSON is a string),
 * `data.paid:true` and `data.note:null` those literals. Several criteria must all hold.
 */

export type SearchValue = string | number | boolean | null;

export interface ContentCriterion {
  /** The keys from the payload's root, e.g. ['data', 'order_id']. */
  path: string[];
  value: SearchValue;
}

export const SEARCH_LIMITS = { criteria: 4, depth: 8, keyLength: 64, valueLength: 256 } as const;

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class SearchSyntaxError extends Error {}

/** The path's text as written (`data.order_id`): what a declared search field is named by. */
export const pathText = (path: readonly string[]): string => path.join('.');

/** Parses a dot-separated path; throws a SearchSyntaxError saying what is wrong. */
export function parsePath(text: string): string[] {
  const keys = text.split('.');
  if (keys.length > SEARCH_LIMITS.depth)
    throw new SearchSyntaxError(`the path ${JSON.stringify(text)} is deeper than ${SEARCH_LIMITS.depth} keys`);
  for (const key of keys) {
    if (!KEY.test(key) || key.length > SEARCH_LIMITS.keyLength) {
      throw new SearchSyntaxError(
        `the path ${JSON.stringify(text)} is not dot-separated keys of letters, digits and _ (e.g. data.order_id)`,
      );
    }
  }
  return keys;
}

function parseValue(text: string): SearchValue {
  if (text.length > SEARCH_LIMITS.valueLength)
    throw new SearchSyntaxError(`a value is longer than ${SEARCH_LIMITS.valueLength} characters`);
  if (text === '') throw new SearchSyntaxError('a criterion has no value after the colon (search for "" with data.x:"")');
  if (text.startsWith('"')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new SearchSyntaxError(`the quoted value ${text} is not a JSON string`);
    }
    if (typeof parsed !== 'string') throw new SearchSyntaxError(`the quoted value ${text} is not a JSON string`);
    return parsed;
  }
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  if (/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(text)) {
    const number = Number(text);
    if (!Number.isFinite(number)) throw new SearchSyntaxError(`the number ${text} is out of range`);
    return number;
  }
  return text;
}

/** Parses each `path:value` criterion; throws a SearchSyntaxError on the first that is malformed. */
export function parseContentCriteria(texts: readonly string[]): ContentCriterion[] {
  if (texts.length > SEARCH_LIMITS.criteria)
    throw new SearchSyntaxError(`at most ${SEARCH_LIMITS.criteria} content criteria at once`);
  return texts.map((text) => {
    const colon = text.indexOf(':');
    if (colon < 0) throw new SearchSyntaxError(`${JSON.stringify(text)} is not path:value (e.g. data.order_id:1234)`);
    return { path: parsePath(text.slice(0, colon).trim()), value: parseValue(text.slice(colon + 1).trim()) };
  });
}

/** A criterion back as text, as a search box shows it. */
export function criterionText(criterion: ContentCriterion): string {
  const { value } = criterion;
  const bare =
    typeof value === 'string' && value !== '' && !value.startsWith('"') && value.trim() === value && parseValue(value) === value;
  const shown = typeof value === 'string' && !bare ? JSON.stringify(value) : String(value);
  return `${pathText(criterion.path)}:${shown}`;
}

/** The JSON object a criterion means as containment: {"data":{"order_id":1234}} (PostgreSQL's `@>`). */
export function containmentOf(criterion: ContentCriterion): unknown {
  return criterion.path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), criterion.value);
}
