/**
 * Traces, the one door: the rest of hookd calls this small interface, which does nothing when tracing is off. It is
 * on when the standard OpenTelemetry variables name an OTLP endpoint; only then is the SDK loaded (tracing-otel.ts).
 */
import { ConfigError } from '../config.js';
import type { TraceContext } from '../domain/index.js';

export type SpanAttributes = Record<string, string | number | boolean>;

/** Headers, or a kept TraceContext: anything that may carry `traceparent` and `tracestate`. */
export type TraceCarrier = Readonly<Record<string, string | string[] | undefined>> | TraceContext;

export interface TraceSpan {
  set(attributes: SpanAttributes): void;
  /** Marks the span failed; `code` is hookd's stable code for what went wrong (the `error.type` attribute). */
  fail(code: string, message?: string): void;
  /** This span's context, to keep with a message or send in headers; null when nothing is traced. */
  context(): TraceContext | null;
}

export interface SpanOptions {
  kind?: 'server' | 'client' | 'internal';
  /** The trace to continue (request headers, or a message's kept context); absent: the span active here, if any. */
  parent?: TraceCarrier | null;
  attributes?: SpanAttributes;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Runs `work` inside a new span, ended when `work` settles (failed if it throws); spans inside are its children. */
  span<T>(name: string, options: SpanOptions, work: (span: TraceSpan) => Promise<T>): Promise<T>;
  /** The span `work` of the innermost `span` call around here runs in. */
  active(): TraceSpan;
  /** `trace_id` and `span_id` of the active span, for log lines. */
  logFields(): Record<string, string>;
  /** Sends the spans still buffered and stops. */
  shutdown(): Promise<void>;
}

const NO_SPAN: TraceSpan = { set() {}, fail() {}, context: () => null };
const NO_FIELDS: Record<string, string> = {};

/** Tracing off: every call costs a function call and nothing else. */
export const NO_TRACING: Tracing = {
  enabled: false,
  span: (_name, _options, work) => work(NO_SPAN),
  active: () => NO_SPAN,
  logFields: () => NO_FIELDS,
  shutdown: async () => {},
};

/** The environment variables that turn traces on or off, as the OpenTelemetry SDKs read them. */
export function tracesWanted(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((name) => name.trim());
  if (exporters.includes('none')) return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT);
}

/** The OTLP protocols hookd can export with: the HTTP ones (gRPC would bring a large dependency for the same job). */
const PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof PROTOCOLS)[number];

export interface TracedProcess {
  role: string;
  version: string;
}

/**
 * Tracing as `env` asks: NO_TRACING unless an OTLP endpoint is set, else the OpenTelemetry SDK, loaded now, exporting
 * over OTLP/HTTP. The SDK reads the other OTEL_* variables itself (service name, resource attributes, sampler, batch
 * sizes, headers, timeouts).
 */
export async function startTracing(env: NodeJS.ProcessEnv, process: TracedProcess): Promise<Tracing> {
  if (!tracesWanted(env)) return NO_TRACING;
  const variable = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const asked = env[variable] || 'http/protobuf';
  const protocol = PROTOCOLS.find((p) => p === asked.trim());
  if (!protocol) {
    throw new ConfigError(
      `${variable}=${asked} is not one hookd exports with: use http/protobuf (port 4318, the default) or http/json`,
    );
  }
  const { otelTracing } = await import('./tracing-otel.js');
  return otelTracing(protocol, process);
}
