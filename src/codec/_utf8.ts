// UTF-8 helpers shared by the codec files.

export const encoder: TextEncoder = new TextEncoder();
export const strictDecoder: TextDecoder = new TextDecoder("utf-8", {
  fatal: true,
  ignoreBOM: true,
});

/** Byte length of `text` in UTF-8, without allocating. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** True when `text` is longer than `max` UTF-8 bytes; cheap for short strings. */
export function exceedsBytes(text: string, max: number): boolean {
  if (text.length > max) return true;
  if (text.length * 3 <= max) return false;
  return utf8Length(text) > max;
}

/** Index of the first CR LF CR LF in `bytes` at or after `from`, or -1. */
export function indexOfBlankLine(bytes: Uint8Array, from = 0): number {
  for (let i = bytes.indexOf(13, from); i !== -1; i = bytes.indexOf(13, i + 1)) {
    if (i + 3 >= bytes.length) return -1;
    if (bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      return i;
    }
  }
  return -1;
}
