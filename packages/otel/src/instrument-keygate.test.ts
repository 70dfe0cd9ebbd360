// The instrumentation against the OpenTelemetry SDK's in-memory reader and exporter: counters by
// outcome and cache state, a store-read histogram and span for each read and none for a hit, and
// nothing recorded once stopped.
import { createKeygate, MemoryKeyStore } from '@keygate/core';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { instrumentKeygate, type KeygateInstrumentation } from './index.js';

let running: KeygateInstrumentation | undefined;
afterEach(() => {
  running?.stop();
  running = undefined;
});

function setup() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spans)],
  });
  running = instrumentKeygate({ meterProvider, tracerProvider });
  const collect = async () => {
    await reader.forceFlush();
    const all: ResourceMetrics[] = exporter.getMetrics();
    return all[all.length - 1]!.scopeMetrics.flatMap((scope) => scope.metrics);
  };
  return { collect, spans };
}

function points(metrics: Awaited<ReturnType<ReturnType<typeof setup>['collect']>>, name: string) {
  const metric = metrics.find((each) => each.descriptor.name === name);
  return (metric?.dataPoints ?? []) as { attributes: Record<string, unknown>; value: unknown }[];
}

describe('instrumentKeygate', () => {
  it('counts verifications by outcome and cache, and times store reads only', async () => {
    const { collect, spans } = setup();
    const { verifier, keys } = createKeygate({ store: new MemoryKeyStore(), lastUsed: false });
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    await verifier.verify(key); // miss: a store read
    await verifier.verify(key); // hit
    await verifier.verify(key); // hit
    await verifier.verify(undefined); // missing: no read
    const metrics = await collect();
    const counted = points(metrics, 'keygate.verifications').map((point) => [
      point.attributes.outcome,
      point.attributes.cache,
      point.value,
    ]);
    expect(counted).toEqual(
      expect.arrayContaining([
        ['ok', 'miss', 1],
        ['ok', 'hit', 2],
        ['missing_api_key', 'miss', 1],
      ]),
    );
    expect(counted).toHaveLength(3);
    const durations = points(metrics, 'keygate.store.duration');
    expect(durations).toHaveLength(1);
    expect((durations[0]!.value as { count: number }).count).toBe(1);
    expect(spans.getFinishedSpans().map((span) => span.name)).toEqual(['keygate.store.read']);
    expect(JSON.stringify(spans.getFinishedSpans()[0]!.attributes)).not.toContain(key);
    await verifier.close();
  });

  it('counts store failures by operation, and stops recording when stopped', async () => {
    const { collect } = setup();
    const store = new MemoryKeyStore();
    const { verifier, keys } = createKeygate({ store, lastUsed: false, onError: () => {} });
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    store.findByHash = async () => {
      throw new Error('down');
    };
    await verifier.verify(key);
    running!.stop();
    await verifier.verify(key);
    const metrics = await collect();
    expect(
      points(metrics, 'keygate.store.events').map((point) => [point.attributes, point.value]),
    ).toEqual([[{ event: 'failure', operation: 'lookup' }, 1]]);
    expect(
      points(metrics, 'keygate.verifications').map((point) => [point.attributes, point.value]),
    ).toEqual([[{ outcome: 'key_store_unavailable', cache: 'miss' }, 1]]);
    await verifier.close();
  });
});
