// Frames a connection read ahead while it waits (async processor, pacing).
// A FIFO with a moving head: Array#shift would make draining a burst quadratic.

import type { FrameData } from "../codec/frame.ts";

/** Read-ahead frames with their byte sizes, measured once on arrival. */
export class FrameQueue {
  #frames: FrameData[] = [];
  #sizes: number[] = [];
  #head = 0;
  /** Total bytes queued. */
  bytes = 0;

  /** Frames queued. */
  get length(): number {
    return this.#frames.length - this.#head;
  }

  /** Appends a frame of `size` bytes. */
  push(data: FrameData, size: number): void {
    this.#frames.push(data);
    this.#sizes.push(size);
    this.bytes += size;
  }

  /** Takes the oldest frame; undefined when empty. */
  shift(): FrameData | undefined {
    if (this.#head === this.#frames.length) return undefined;
    const data = this.#frames[this.#head];
    this.bytes -= this.#sizes[this.#head];
    this.#head++;
    if (this.#head === this.#frames.length) this.clear();
    else if (this.#head > 1024 && this.#head * 2 > this.#frames.length) {
      this.#frames = this.#frames.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
    return data;
  }

  /** Drops everything. */
  clear(): void {
    this.#frames = [];
    this.#sizes = [];
    this.#head = 0;
    this.bytes = 0;
  }
}
