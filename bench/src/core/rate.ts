// Calls per second of one operation: batches sized to ~10 ms, run for a fixed time, so the clock
// is read rarely and a slow operation still gets enough calls.

/** Runs `batch(count)` (which makes `count` calls) for about `durationMs`; answers calls/s. */
export async function callsPerSecond(
  batch: (count: number) => unknown,
  durationMs: number,
): Promise<number> {
  let size = 16;
  // Grow the batch until one takes ~10 ms (this also warms the code up).
  for (;;) {
    const started = process.hrtime.bigint();
    await batch(size);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (elapsedMs >= 10 || size >= 1 << 24) break;
    size *= elapsedMs < 1 ? 8 : 2;
  }
  let calls = 0;
  const started = process.hrtime.bigint();
  let elapsedNs = 0;
  while (elapsedNs < durationMs * 1e6) {
    await batch(size);
    calls += size;
    elapsedNs = Number(process.hrtime.bigint() - started);
  }
  return (calls * 1e9) / elapsedNs;
}
