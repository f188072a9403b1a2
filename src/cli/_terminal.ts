// The terminal side of `lhttp connect`: typed-line history kept across
// sessions, and output drawn around the prompt.

import { appendFileSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import type { Interface } from "node:readline";

/** Lines of history kept. */
export const HISTORY_SIZE = 1000;

/** `LHTTP_HISTORY`, else `~/.lhttp_history`; undefined when set empty (no history file). */
export function historyPath(): string | undefined {
  const configured = process.env.LHTTP_HISTORY;
  if (configured !== undefined) return configured || undefined;
  const home = homedir();
  return home ? join(home, ".lhttp_history") : undefined;
}

/** Lines typed in earlier sessions, one per line, oldest first; appended as they are typed. */
export class HistoryFile {
  /** Keeps history in `path`; none when absent. */
  constructor(public path?: string) {}

  /** The last lines, newest first (readline's order). */
  load(): string[] {
    if (!this.path) return [];
    try {
      const lines = readFileSync(this.path, "utf8").split("\n").filter(Boolean);
      return lines.slice(-HISTORY_SIZE).reverse();
    } catch {
      return []; // none yet, or unreadable: start empty
    }
  }

  /** Appends a typed line. */
  add(line: string): void {
    if (!this.path || line.trim() === "") return;
    try {
      appendFileSync(this.path, line.replace(/\n/g, " ") + "\n", { mode: 0o600 });
    } catch {
      this.path = undefined; // read-only home and the like: keep the session's history only
    }
  }
}

/**
 * Output beside the prompt: in a terminal, a frame or a status line replaces
 * the prompt line and the prompt (with what was typed so far) is redrawn under it.
 */
export class Screen {
  #active = true;
  /** Draws around `input`'s prompt; plain output without one. */
  constructor(readonly input?: Interface) {}

  /** Writes a received frame to stdout. */
  frame(text: string): void {
    this.#around(() => process.stdout.write(text));
  }

  /** Writes a status line to stderr. */
  status(text: string): void {
    this.#around(() => process.stderr.write(`lhttp: ${text}\n`));
  }

  /** Shows the prompt again. */
  prompt(): void {
    if (this.input && this.#active) this.input.prompt(true);
  }

  /** Stops drawing the prompt. */
  done(): void {
    this.#active = false;
  }

  #around(write: () => void): void {
    if (!this.input || !this.#active) return write();
    process.stderr.write("\r\x1b[2K"); // clear the prompt line
    write();
    this.input.prompt(true);
  }
}
