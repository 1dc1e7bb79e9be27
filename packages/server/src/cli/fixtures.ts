/**
 * Fixtures: a caught or hand-written event kept as a JSON file, `{provider, event, payload}`, that `hookd trigger
 * --fixture` signs afresh and sends again; `hookd listen --save-fixtures` writes one per caught request. `--set`
 * overrides change a payload by dotted path before it is signed.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMES, type SchemeName } from '@hookd/sdk/verify';
import type { Captured } from './listen-store.js';
import { CliError, EXIT } from './output.js';

export interface Fixture {
  /** The signature scheme to sign it with: `standard`, `stripe`, `github`, … */
  provider: SchemeName;
  /** The event type, for the provider's type header where it has one (GitHub, Shopify). */
  event: string | null;
  /** The body, as JSON. */
  payload: unknown;
}

/**
 * Reads a fixture file. A file without `payload` is taken as the payload itself (a plain event body), its provider
 * `fallbackProvider` or Standard Webhooks, its event the `type` it names.
 */
export function readFixture(path: string, fallbackProvider?: SchemeName): Fixture {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliError(
      `cannot read the fixture ${path}: ${(error as Error).message}`,
      EXIT.usage,
      'a fixture is a JSON file: {"provider", "event", "payload"}, or an event body on its own',
    );
  }
  const record =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  if (record && 'payload' in record) {
    const provider = (record.provider ?? fallbackProvider ?? 'standard') as SchemeName;
    if (!Object.hasOwn(SCHEMES, provider)) {
      throw new CliError(
        `the fixture ${path} names an unknown provider ${JSON.stringify(provider)}`,
        EXIT.usage,
        `use one of: ${Object.keys(SCHEMES).join(', ')}`,
      );
    }
    return { provider, event: typeof record.event === 'string' ? record.event : null, payload: record.payload };
  }
  const type = record && typeof record.type === 'string' ? record.type : null;
  return { provider: fallbackProvider ?? 'standard', event: type, payload: parsed };
}

/** `data.amount=5000`: the value is JSON when it parses (5000, true, {"a":1}, "quoted"), else the text itself. */
export function parseOverride(text: string): { path: string[]; value: unknown } {
  const eq = text.indexOf('=');
  const path = eq > 0 ? text.slice(0, eq).split('.') : [];
  if (eq <= 0 || path.some((key) => key === '')) {
    throw new CliError(`--set ${JSON.stringify(text)} is not path=value`, EXIT.usage, 'e.g. --set data.amount=5000');
  }
  const raw = text.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // Not JSON: the text as it is.
  }
  return { path, value };
}

/** A copy of `payload` with each override applied in order; missing objects on the way are made. */
export function applyOverrides(payload: unknown, overrides: readonly string[]): unknown {
  const copy = structuredClone(payload);
  for (const text of overrides) {
    const { path, value } = parseOverride(text);
    if (typeof copy !== 'object' || copy === null) {
      throw new CliError(`--set ${text}: the payload is not a JSON object`, EXIT.usage);
    }
    let node = copy as Record<string, unknown>;
    for (const key of path.slice(0, -1)) {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
        throw new CliError(`--set ${text}: ${key} is not a path a payload may have`, EXIT.usage);
      }
      const next = node[key];
      if (typeof next !== 'object' || next === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    const last = path.at(-1) as string;
    if (last === '__proto__') throw new CliError(`--set ${text}: __proto__ is not a path a payload may have`, EXIT.usage);
    node[last] = value;
  }
  return copy;
}

/** The fixture of a caught request: its scheme (from its headers), its type, its JSON body; null for a non-JSON body. */
export function fixtureOf(request: Captured, scheme: SchemeName | null): Fixture | null {
  let payload: unknown;
  try {
    payload = JSON.parse(request.body.toString('utf8'));
  } catch {
    return null;
  }
  return { provider: scheme ?? 'standard', event: request.eventType, payload };
}

/** Writes `<dir>/<id>-<event>.json`; returns the path. */
export function saveFixture(dir: string, id: number, fixture: Fixture): string {
  mkdirSync(dir, { recursive: true });
  const name = `${String(id).padStart(4, '0')}-${(fixture.event ?? 'request').replace(/[^A-Za-z0-9_.-]+/g, '_')}.json`;
  const path = join(dir, name);
  writeFileSync(path, `${JSON.stringify(fixture, null, 2)}\n`);
  return path;
}
