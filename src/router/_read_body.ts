// Reading bounded bodies into one owned buffer. A runtime may hand out each
// chunk as a view into a large backing buffer (Deno: about 45 KB per chunk, so
// a body trickled one byte per TCP segment would cost 45 KB a byte). Where the
// stream supports it, a BYOB reader fills our buffer directly and no chunk is
// allocated; otherwise each chunk is copied and dropped at once.

/** Reads a stream to the end, throwing `tooLarge()` as soon as it passes `max` bytes. */
export async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  max: number,
  tooLarge: () => Error,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    // Not a byte stream: read chunks.
  }
  const reader = byob ?? body.getReader();
  const abort = () => void reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener("abort", abort, { once: true });
  let buffer: Uint8Array<ArrayBuffer> = new Uint8Array(Math.min(max + 1, 16 * 1024));
  let size = 0;
  try {
    for (;;) {
      if (size === buffer.length) buffer = grow(buffer, size, max + 1);
      if (byob) {
        // Read into the free tail; the stream hands the (transferred) buffer back.
        const result = await byob.read(buffer.subarray(size));
        if (result.value) {
          buffer = new Uint8Array(result.value.buffer, 0, result.value.buffer.byteLength);
        }
        if (signal?.aborted) throw signal.reason;
        if (result.done) break;
        size += result.value!.length;
        if (size > max) throw tooLarge();
        continue;
      }
      const result = await (reader as ReadableStreamDefaultReader<Uint8Array>).read();
      if (signal?.aborted) throw signal.reason;
      if (result.done) break;
      const value = result.value;
      if (size + value.length > max) throw tooLarge();
      while (size + value.length > buffer.length) buffer = grow(buffer, size, max + 1);
      buffer.set(value, size);
      size += value.length;
    }
  } catch (error) {
    reader.cancel().catch(() => {});
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

function grow(buffer: Uint8Array, size: number, limit: number): Uint8Array<ArrayBuffer> {
  const grown = new Uint8Array(Math.min(limit, Math.max(buffer.length * 2, 1024)));
  grown.set(buffer.subarray(0, size));
  return grown;
}
