// GET /metrics of the reference server: keygate's verification and store events (its diagnostics
// channels, docs/observability.md) as Prometheus counters and a histogram, with prom-client.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  STORE_CHANNEL,
  type StoreEventMessage,
  VERIFY_CHANNEL,
  type VerifyEventMessage,
} from '@keygate/core';
import { Counter, Histogram, Registry } from 'prom-client';

/** Where the metrics are served. */
export const METRICS_PATH = '/metrics';

/** The metrics endpoint; `stop()` unsubscribes from keygate's channels. */
export interface MetricsRoute {
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
  stop(): void;
}

/**
 * Subscribes to keygate's channels and serves what they counted in the Prometheus text format:
 * `keygate_verifications_total{outcome,cache}`, `keygate_store_duration_seconds{outcome}` and
 * `keygate_store_events_total{event,operation}`. Labels never carry a key id (unbounded) nor a key.
 * Channels are process-wide: every verifier of the process is counted.
 *
 * @example
 * ```ts
 * const metrics = createMetricsRoute();
 * if (path === METRICS_PATH) return metrics.handle(request, response);
 * ```
 */
export function createMetricsRoute(): MetricsRoute {
  const registry = new Registry();
  const verifications = new Counter({
    name: 'keygate_verifications_total',
    help: 'API-key verifications, by outcome (ok or the refusal code) and cache state',
    labelNames: ['outcome', 'cache'] as const,
    registers: [registry],
  });
  const storeDuration = new Histogram({
    name: 'keygate_store_duration_seconds',
    help: 'How long a verification waited for a key-store read',
    labelNames: ['outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const storeEvents = new Counter({
    name: 'keygate_store_events_total',
    help: 'Key-store failures and invalidation-subscription losses and returns',
    labelNames: ['event', 'operation'] as const,
    registers: [registry],
  });
  const onVerify = (message: unknown) => {
    const event = message as VerifyEventMessage;
    verifications.inc({ outcome: event.outcome, cache: event.cache });
    if (event.storeMs !== null) {
      storeDuration.observe({ outcome: event.outcome }, event.storeMs / 1000);
    }
  };
  const onStore = (message: unknown) => {
    const event = message as StoreEventMessage;
    storeEvents.inc({
      event: event.event,
      operation: event.event === 'failure' ? event.operation : '',
    });
  };
  subscribe(VERIFY_CHANNEL, onVerify);
  subscribe(STORE_CHANNEL, onStore);
  return {
    async handle(request, response) {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
        response.end('Use GET.\n');
        return;
      }
      const text = await registry.metrics();
      response.writeHead(200, {
        'content-type': registry.contentType,
        'cache-control': 'no-store',
      });
      response.end(request.method === 'HEAD' ? undefined : text);
    },
    stop() {
      unsubscribe(VERIFY_CHANNEL, onVerify);
      unsubscribe(STORE_CHANNEL, onStore);
    },
  };
}
