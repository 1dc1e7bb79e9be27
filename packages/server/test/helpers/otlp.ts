/**
 * A real OTLP/HTTP receiver on 127.0.0.1: it takes what the official exporter sends to /v1/traces and decodes the
 * JSON encoding (OTEL_EXPORTER_OTLP_PROTOCOL=http/json) into spans; protobuf bodies are kept as requests only.
 */
import { eventually } from './hookd.js';
import { type Received, startReceiver } from './receiver.js';

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  /** 1 internal, 2 server, 3 client (OTLP's SpanKind). */
  kind: number;
  attributes: Record<string, string | number | boolean>;
  /** 2 is an error (OTLP's StatusCode). */
  statusCode: number;
  /** The `service.name` and `hookd.role` of the process that sent it. */
  service: string;
  role: string;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: OtlpAttribute[];
        status?: { code?: number };
      }[];
    }[];
  }[];
}

const plainValue = (v: OtlpValue) =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.doubleValue ?? v.boolValue ?? ''));
const attributesOf = (list: OtlpAttribute[] = []) => Object.fromEntries(list.map((a) => [a.key, plainValue(a.value)]));

export function decodeSpans(body: string): OtlpSpan[] {
  const decoded = JSON.parse(body) as OtlpExport;
  return (decoded.resourceSpans ?? []).flatMap((resourceSpans) => {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? '',
        name: span.name,
        kind: span.kind,
        attributes: attributesOf(span.attributes),
        statusCode: span.status?.code ?? 0,
        service: String(resource['service.name']),
        role: String(resource['hookd.role']),
      })),
    );
  });
}

export interface Collector {
  /** The base URL, for OTEL_EXPORTER_OTLP_ENDPOINT (the exporter adds /v1/traces). */
  url: string;
  /** Every export request received. */
  requests: Received[];
  /** The spans of every JSON export so far. */
  spans(): OtlpSpan[];
  /** Waits until `find` returns something from the spans received so far. */
  waitFor<T>(what: string, find: (spans: OtlpSpan[]) => T | undefined, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function startCollector(): Promise<Collector> {
  const receiver = await startReceiver(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{}' }));
  const spans = () =>
    receiver.requests
      .filter((r) => r.path === '/v1/traces' && String(r.headers['content-type']).startsWith('application/json'))
      .flatMap((r) => decodeSpans(r.body));
  return {
    url: new URL(receiver.url).origin,
    requests: receiver.requests,
    spans,
    waitFor: (what, find, timeoutMs = 15_000) => eventually(() => find(spans()), timeoutMs, what),
    close: () => receiver.close(),
  };
}

/** Settings that make a hookd child export its spans as JSON to `collector`, each batch within 100 ms. */
export function tracingTo(collector: Collector, serviceName: string): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_SERVICE_NAME: serviceName,
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
}
