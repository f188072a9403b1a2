// A hang guard for tests that wait on the network: a bug must fail the test,
// not stall the suite. The bound is generous; nothing asserts on timing.

/** Resolves like `promise`, or rejects if it has not settled within `ms`. */
export async function within<T>(promise: Promise<T>, what: string, ms = 30_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`hang guard: ${what} did not happen in ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}
