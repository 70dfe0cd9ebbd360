// The usage recorder: counts per key and UTC day, one batch per interval, a refused batch kept
// for the next attempt, a timed-out one dropped (a retry could count twice), days kept apart.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeadlineExceededError } from '../deadline.js';
import type { KeyStore } from '../key-store.js';
import { MemoryKeyStore } from '../memory-key-store.js';
import type { VerifyResult } from '../verifier-result.js';
import type { UsageEntry } from './usage-entry.js';
import { UsageRecorder } from './usage-recorder.js';

const OK = { ok: true } as VerifyResult;
const REFUSED = { ok: false } as VerifyResult;
const DAY = 86_400_000;
const NOON = Date.UTC(2026, 11, 1, 12);

afterEach(() => {
  vi.useRealTimers();
});

function recording(write: (entries: readonly UsageEntry[]) => Promise<void>) {
  const batches: UsageEntry[][] = [];
  const store = Object.assign(new MemoryKeyStore(), {
    recordUsage: async (entries: readonly UsageEntry[]) => {
      await write(entries);
      batches.push([...entries]);
    },
  }) as KeyStore;
  return { store, batches };
}

describe('UsageRecorder', () => {
  it('writes one batch per interval, per key and day, accepted and refused apart', async () => {
    vi.useFakeTimers();
    const { store, batches } = recording(async () => {});
    const errors: unknown[] = [];
    const recorder = new UsageRecorder(store, 1_000, 500, (error) => errors.push(error));
    recorder.count('a', OK, NOON);
    recorder.count('a', OK, NOON + 1);
    recorder.count('a', REFUSED, NOON + 2);
    recorder.count('b', Promise.resolve(OK), NOON);
    recorder.count('a', OK, NOON + DAY); // the next day
    await vi.advanceTimersByTimeAsync(999);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toHaveLength(1);
    expect([...batches[0]!].sort((x, y) => (x.keyId + x.date < y.keyId + y.date ? -1 : 1))).toEqual(
      [
        { keyId: 'a', date: '2026-12-01', accepted: 2, refused: 1 },
        { keyId: 'a', date: '2026-12-02', accepted: 1, refused: 0 },
        { keyId: 'b', date: '2026-12-01', accepted: 1, refused: 0 },
      ],
    );
    await recorder.close();
    expect(batches).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('counts each use on its own day, whichever order the times come in', async () => {
    const { store, batches } = recording(async () => {});
    const recorder = new UsageRecorder(store, 60_000, 500, () => {});
    recorder.count('a', OK, NOON + DAY);
    recorder.count('a', OK, NOON); // a request that started before midnight answers after
    recorder.count('a', REFUSED, NOON + DAY + 1);
    await recorder.flush();
    const byDay = new Map(batches[0]!.map((entry) => [entry.date, entry]));
    expect([...byDay.keys()].sort()).toEqual(['2026-12-01', '2026-12-02']);
    const total = (date: string) =>
      batches[0]!
        .filter((entry) => entry.date === date)
        .reduce((sum, entry) => [sum[0]! + entry.accepted, sum[1]! + entry.refused], [0, 0]);
    expect(total('2026-12-01')).toEqual([1, 0]);
    expect(total('2026-12-02')).toEqual([1, 1]);
    await recorder.close();
  });

  it('keeps a refused batch for the next write and adds what came meanwhile', async () => {
    let fail = true;
    const { store, batches } = recording(async () => {
      if (fail) throw new Error('down');
    });
    const errors: unknown[] = [];
    const recorder = new UsageRecorder(store, 60_000, 500, (error) => errors.push(error));
    recorder.count('a', OK, NOON);
    await recorder.flush();
    expect(errors).toHaveLength(1);
    recorder.count('a', REFUSED, NOON);
    fail = false;
    await recorder.flush();
    expect(batches).toEqual([[{ keyId: 'a', date: '2026-12-01', accepted: 1, refused: 1 }]]);
    await recorder.close();
  });

  it('drops a batch whose write outlived its deadline, so that a late write is not doubled', async () => {
    vi.useFakeTimers();
    const { store, batches } = recording(() => new Promise(() => {}));
    const errors: unknown[] = [];
    const recorder = new UsageRecorder(store, 60_000, 500, (error) => errors.push(error));
    recorder.count('a', OK, NOON);
    const flushing = recorder.flush();
    await vi.advanceTimersByTimeAsync(500);
    await flushing;
    expect(errors[0]).toBeInstanceOf(DeadlineExceededError);
    const again = recorder.flush();
    await vi.advanceTimersByTimeAsync(500);
    await again;
    expect(errors).toHaveLength(1); // nothing was pending: no second write
    expect(batches).toEqual([]);
  });
});
