/**
 * Row ↔ record mapping for the PostgreSQL tables. Apps, messages and deliveries have the same columns as in
 * SQLite (bigints arrive as numbers, see pool.ts); endpoint filters and attempt headers use native types here.
 */
import type { Attempt, Endpoint, SignatureScheme } from '../../domain/index.js';

export { type AppRow, type DeliveryRow, type MessageRow, toApp, toDelivery, toMessage, toPage } from '../sqlite/rows.js';

export interface EndpointRow {
  id: string;
  app_id: string;
  url: string;
  description: string;
  events: string[] | null;
  signature_scheme: string;
  secret: string;
  disabled_at: number | null;
  disabled_reason: string | null;
  created_at: number;
  updated_at: number;
}
export const toEndpoint = (r: EndpointRow): Endpoint => ({
  id: r.id,
  appId: r.app_id,
  url: r.url,
  description: r.description,
  events: r.events,
  signatureScheme: r.signature_scheme as SignatureScheme,
  secret: r.secret,
  disabledAt: r.disabled_at,
  disabledReason: r.disabled_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface AttemptRow {
  id: string;
  delivery_id: string;
  number: number;
  started_at: number;
  duration_ms: number;
  request_headers: Record<string, string>;
  response_status: number | null;
  response_body: string | null;
  error: string | null;
}
export const toAttempt = (r: AttemptRow): Attempt => ({
  id: r.id,
  deliveryId: r.delivery_id,
  number: r.number,
  startedAt: r.started_at,
  durationMs: r.duration_ms,
  requestHeaders: r.request_headers,
  responseStatus: r.response_status,
  responseBody: r.response_body,
  error: r.error,
});

/** PostgreSQL text cannot hold U+0000, which a binary response body decoded as UTF-8 may contain. */
export const storableText = (text: string | null): string | null => (text === null ? null : text.replaceAll('\u0000', '\uFFFD'));
