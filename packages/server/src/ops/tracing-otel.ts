/** Tracing with the OpenTelemetry SDK, exporting over OTLP/HTTP. Loaded by tracing.ts only when traces are wanted. */
import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { ATTR_ERROR_TYPE, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { TraceContext } from '../domain/index.js';
import type { OtlpProtocol, SpanOptions, TracedProcess, TraceSpan, Tracing } from './tracing.js';

const NO_FIELDS: Record<string, string> = {};
const KINDS = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL } as const;

async function exporterFor(protocol: OtlpProtocol): Promise<SpanExporter> {
  // Each exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT and _COMPRESSION itself.
  if (protocol === 'http/json') return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
  return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
}

export async function otelTracing(protocol: OtlpProtocol, process: TracedProcess): Promise<Tracing> {
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the env detector) win over hookd's defaults.
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: 'hookd',
    [ATTR_SERVICE_VERSION]: process.version,
    'hookd.role': process.role,
  }).merge(detectResources({ detectors: [envDetector] }));
  // The sampler comes from OTEL_TRACES_SAMPLER (parent-based, always on, by default); batching from OTEL_BSP_*.
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(await exporterFor(protocol))] });
  // Registers the AsyncLocalStorage context manager: a span stays active across the awaits of its work.
  provider.register();
  const tracer = provider.getTracer('hookd', process.version);
  const w3c = new W3CTraceContextPropagator();

  const handle = (span: Span): TraceSpan => ({
    set: (attributes) => span.setAttributes(attributes),
    fail(code, message) {
      span.setAttribute(ATTR_ERROR_TYPE, code);
      span.setStatus({ code: SpanStatusCode.ERROR, ...(message === undefined ? {} : { message }) });
    },
    context() {
      const carrier: Record<string, string> = {};
      w3c.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
      return carrier.traceparent ? (carrier as unknown as TraceContext) : null;
    },
  });

  return {
    enabled: true,
    span(name, options: SpanOptions, work) {
      const parent = options.parent ? w3c.extract(ROOT_CONTEXT, options.parent, defaultTextMapGetter) : context.active();
      const how = { kind: KINDS[options.kind ?? 'internal'], ...(options.attributes ? { attributes: options.attributes } : {}) };
      return tracer.startActiveSpan(name, how, parent, async (span) => {
        try {
          return await work(handle(span));
        } catch (error) {
          // hookd's errors carry a stable code: the attribute backends group failures by.
          const code = (error as { code?: unknown } | null)?.code;
          if (typeof code === 'string') span.setAttribute(ATTR_ERROR_TYPE, code);
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          throw error;
        } finally {
          span.end();
        }
      });
    },
    active() {
      const span = trace.getActiveSpan();
      return span ? handle(span) : { set() {}, fail() {}, context: () => null };
    },
    logFields(): Record<string, string> {
      const span = trace.getActiveSpan()?.spanContext();
      return span ? { trace_id: span.traceId, span_id: span.spanId } : NO_FIELDS;
    },
    shutdown: () => provider.shutdown(),
  };
}
