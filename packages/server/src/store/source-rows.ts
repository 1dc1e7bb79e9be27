/** Row ↔ record mapping for sources, the same in both stores: lists and the schema are kept as JSON text. */
import type { Source, SourceScheme } from '../domain/index.js';

export interface SourceRow {
  id: string;
  name: string;
  app_id: string;
  scheme: string;
  secrets: string;
  allow_ips: string;
  rate_per_second: number | null;
  rate_burst: number | null;
  json_schema: string | null;
  forward_headers: string;
  refusals: number;
  last_refusal_code: string | null;
  last_refusal_message: string | null;
  last_refusal_at: number | null;
  created_at: number;
  updated_at: number;
}

export const toSource = (r: SourceRow): Source => ({
  id: r.id,
  name: r.name,
  appId: r.app_id,
  scheme: r.scheme as SourceScheme,
  secrets: JSON.parse(r.secrets) as string[],
  allowIps: JSON.parse(r.allow_ips) as string[],
  rateLimit: r.rate_per_second === null ? null : { perSecond: r.rate_per_second, burst: r.rate_burst ?? 1 },
  schema: r.json_schema === null ? null : (JSON.parse(r.json_schema) as Record<string, unknown>),
  forwardHeaders: JSON.parse(r.forward_headers) as string[],
  refusals: r.refusals,
  lastRefusal:
    r.last_refusal_code === null
      ? null
      : { code: r.last_refusal_code, message: r.last_refusal_message ?? '', at: r.last_refusal_at ?? 0 },
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** A source's columns as both stores write them, in table order. */
export function sourceColumns(s: Source) {
  return {
    id: s.id,
    name: s.name,
    appId: s.appId,
    scheme: s.scheme,
    secrets: JSON.stringify(s.secrets),
    allowIps: JSON.stringify(s.allowIps),
    ratePerSecond: s.rateLimit?.perSecond ?? null,
    rateBurst: s.rateLimit?.burst ?? null,
    schema: s.schema === null ? null : JSON.stringify(s.schema),
    forwardHeaders: JSON.stringify(s.forwardHeaders),
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}
