import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../config.js';
import { NO_TRACING, startTracing, tracesWanted } from './tracing.js';

const ENDPOINT = 'http://127.0.0.1:4318';
const PROCESS = { role: 'both', version: '0.0.0' };

test('traces are wanted when an OTLP endpoint is set, and not when the SDK or the exporter is turned off', () => {
  assert.equal(tracesWanted({}), false);
  assert.equal(tracesWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }), false);
  assert.equal(tracesWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT }), true);
  assert.equal(tracesWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${ENDPOINT}/v1/traces` }), true);
  assert.equal(tracesWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_SDK_DISABLED: 'TRUE' }), false);
  assert.equal(tracesWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_TRACES_EXPORTER: 'none' }), false);
  assert.equal(tracesWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_TRACES_EXPORTER: 'otlp' }), true);
});

test('without an endpoint, tracing is the no-op: work runs with a span that keeps nothing', async () => {
  const tracing = await startTracing({}, PROCESS);
  assert.equal(tracing, NO_TRACING);
  const context = await tracing.span('x', {}, async (span) => {
    span.set({ a: 1 });
    span.fail('code');
    return span.context();
  });
  assert.equal(context, null);
  assert.deepEqual(tracing.logFields(), {});
});

test('a protocol hookd cannot export with is a ConfigError naming the variable, checked before the SDK loads', async () => {
  for (const protocol of ['grpc', 'http']) {
    await assert.rejects(
      startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol }, PROCESS),
      (error: unknown) =>
        error instanceof ConfigError && error.message.startsWith(`OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=${protocol} `),
    );
  }
});
