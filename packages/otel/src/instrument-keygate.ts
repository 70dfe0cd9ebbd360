// Turns keygate's diagnostics-channel events (docs/observability.md, "Channels") into OpenTelemetry
// metrics and spans: a counter of verifications, a histogram of store reads, and a span per store
// read (never one per cache hit: a hit does no I/O worth tracing).
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  STORE_CHANNEL,
  type StoreEventMessage,
  VERIFY_CHANNEL,
  type VerifyEventMessage,
} from '@keygate/core';
import {
  type Counter,
  type Histogram,
  type MeterProvider,
  metrics,
  SpanKind,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';

const PACKAGE = '@keygate/otel';
const SCOPE = '@keygate/otel';

/** Options of {@link instrumentKeygate}. */
export interface KeygateInstrumentationOptions {
  /** Where the metrics go. Default: the global meter provider (`metrics.getMeterProvider()`). */
  readonly meterProvider?: MeterProvider;
  /** Where the spans go. Default: the global tracer provider (`trace.getTracerProvider()`). */
  readonly tracerProvider?: TracerProvider;
  /** `false` records metrics only (default: spans around store reads too). */
  readonly spans?: boolean;
}

/** A running instrumentation; `stop()` unsubscribes from keygate's channels. */
export interface KeygateInstrumentation {
  stop(): void;
}

/**
 * Subscribes to `keygate:verify` and `keygate:store` and records:
 *
 * - `keygate.verifications` (counter), attributes `outcome` (`ok` or the refusal code) and
 *   `cache` (`hit`, `miss`, `negative-hit`);
 * - `keygate.store.duration` (histogram, ms): how long each verification waited for a store read,
 *   attribute `outcome`;
 * - `keygate.store.events` (counter), attributes `event` (`failure`, `subscription-lost`,
 *   `subscription-resync`) and `operation` (for failures);
 * - a span `keygate.store.read` per store read (kind `client`), timed from the message, in the
 *   context active when the answer was published (the request's).
 *
 * Until called, keygate builds no event: with nobody subscribed the channels cost nothing.
 *
 * @example
 * ```ts
 * import { instrumentKeygate } from '@keygate/otel';
 * const instrumentation = instrumentKeygate(); // global providers, set up by the OTel SDK
 * // on shutdown:
 * instrumentation.stop();
 * ```
 */
export function instrumentKeygate(
  options: KeygateInstrumentationOptions = {},
): KeygateInstrumentation {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${PACKAGE}: options must be an object`);
  }
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE);
  const tracer: Tracer | undefined =
    options.spans === false
      ? undefined
      : (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
  const verifications: Counter = meter.createCounter('keygate.verifications', {
    description: 'API-key verifications, by outcome and cache state',
  });
  const storeDuration: Histogram = meter.createHistogram('keygate.store.duration', {
    description: 'How long a verification waited for a key-store read',
    unit: 'ms',
  });
  const storeEvents: Counter = meter.createCounter('keygate.store.events', {
    description: 'Key-store failures and invalidation-subscription losses and returns',
  });

  const onVerify = (message: unknown): void => {
    const event = message as VerifyEventMessage;
    verifications.add(1, { outcome: event.outcome, cache: event.cache });
    if (event.storeMs === null) return;
    storeDuration.record(event.storeMs, { outcome: event.outcome });
    if (tracer === undefined) return;
    // Published when the answer is known: the read began about totalMs ago and took storeMs.
    const startTime = Date.now() - event.totalMs;
    const span = tracer.startSpan('keygate.store.read', {
      kind: SpanKind.CLIENT,
      startTime,
      attributes: {
        'keygate.outcome': event.outcome,
        ...(event.keyId === null ? {} : { 'keygate.key_id': event.keyId }),
      },
    });
    span.end(startTime + event.storeMs);
  };
  const onStore = (message: unknown): void => {
    const event = message as StoreEventMessage;
    storeEvents.add(1, {
      event: event.event,
      ...(event.event === 'failure' ? { operation: event.operation } : {}),
    });
  };
  subscribe(VERIFY_CHANNEL, onVerify);
  subscribe(STORE_CHANNEL, onStore);
  let stopped = false;
  return Object.freeze({
    stop() {
      if (stopped) return;
      stopped = true;
      unsubscribe(VERIFY_CHANNEL, onVerify);
      unsubscribe(STORE_CHANNEL, onStore);
    },
  });
}
