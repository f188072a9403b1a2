// Reading bounded bodies. Every chunk is copied into one owned buffer: a runtime
// may hand out views into large backing buffers (Deno: about 45 KB per chunk),
// and keeping the views would retain those for as long as the body is read.

/** Reads a stream to the end, throwing `tooLarge()` as soon as it passes `max` bytes. */
export async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  max: number,
  tooLarge: () => Error,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  let buffer = new Uint8Array(Math.min(max, 16 * 1024));
  let size = 0;
  const reader = body.getReader();
  const abort = () => void reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener("abort", abort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal?.aborted) throw signal.reason;
      if (done) break;
      if (size + value.length > max) {
        reader.cancel().catch(() => {});
        throw tooLarge();
      }
      if (size + value.length > buffer.length) {
        const grown = new Uint8Array(
          Math.min(max, Math.max(buffer.length * 2, size + value.length)),
        );
        grown.set(buffer.subarray(0, size));
        buffer = grown;
      }
      buffer.set(value, size);
      size += value.length;
    }
  } catch (error) {
    throw signal?.aborted ? signal.reason : error;
  } finally {
    signal?.removeEventListener("abort", abort);
    try {
      reader.releaseLock();
    } catch {
      // Already released by a cancel.
    }
  }
  return buffer.subarray(0, size);
}
