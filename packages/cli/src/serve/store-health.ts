// `GET /healthz` of `keygate serve`: is the key store answering? One lookup of a digest no key has,
// with the verifier's store deadline, so a hanging store reads as unreachable rather than hanging
// the probe.
import type { KeyStore } from '@keygate/core';

/** What `/healthz` answers. */
export interface HealthReport {
  readonly reachable: boolean;
  readonly body: {
    readonly status: 'ok' | 'unavailable';
    readonly store: 'reachable' | 'unreachable';
  };
}

/** Checks the store on demand. */
export interface StoreHealth {
  check(): Promise<HealthReport>;
}

// Not a digest any key can have (digests are base64url of a hash), so the lookup finds nothing.
const PROBE_DIGEST = 'keygate-serve-health-probe';

const REACHABLE: HealthReport = Object.freeze({
  reachable: true,
  body: Object.freeze({ status: 'ok', store: 'reachable' }),
});
const UNREACHABLE: HealthReport = Object.freeze({
  reachable: false,
  body: Object.freeze({ status: 'unavailable', store: 'unreachable' }),
});

/**
 * Builds the probe.
 *
 * @example
 * ```ts
 * const health = storeHealth(opened.store, 2_000);
 * (await health.check()).reachable;
 * ```
 */
export function storeHealth(store: KeyStore, timeoutMs: number): StoreHealth {
  return {
    async check() {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), timeoutMs);
      });
      try {
        const outcome = await Promise.race([
          Promise.resolve().then(() => store.findByHash(PROBE_DIGEST)),
          deadline,
        ]);
        return outcome === 'late' ? UNREACHABLE : REACHABLE;
      } catch {
        return UNREACHABLE;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
