// A memory store whose invalidation channel a test can drop and restore, as Redis pub/sub or
// PostgreSQL LISTEN would: the monitors it was given, for the test to call.
import type { InvalidationEvent, SubscriptionMonitor } from './key-store.js';
import { MemoryKeyStore } from './memory-key-store.js';

/** Keeps each subscriber's monitor in `monitors`. */
export class DroppingStore extends MemoryKeyStore {
  monitors: SubscriptionMonitor[] = [];
  override async subscribe(
    listener: (event: InvalidationEvent) => void,
    monitor?: SubscriptionMonitor,
  ) {
    if (monitor !== undefined) this.monitors.push(monitor);
    return super.subscribe(listener);
  }
}
