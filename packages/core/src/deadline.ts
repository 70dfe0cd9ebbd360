// Bounds a call to a store or to host code in time: a call that never settles must not hold a
// request, a flush or a shutdown (see docs/design.md, "Faults").

/** The rejection of a call that outlived its deadline. */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
}

/**
 * Runs `call` and settles with it, or rejects with {@link DeadlineExceededError} after `ms`.
 * A synchronous throw or a non-promise answer is treated like a rejection or a resolution.
 * The late answer of a call that timed out is dropped; `onLate` (if given) still receives it,
 * so that what it holds (a subscription, say) can be released.
 */
export async function withDeadline<T>(
  call: () => T | Promise<T>,
  ms: number,
  message: string,
  onLate?: (value: T) => void,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  const running = Promise.resolve().then(call);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new DeadlineExceededError(message));
    }, ms);
  });
  if (onLate !== undefined) {
    running.then(
      (value) => {
        if (timedOut) onLate(value);
      },
      () => {},
    );
  }
  try {
    return await Promise.race([running, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
