/**
 * {@linkcode PatternTrie}: wildcard subscriptions by token, so that matching
 * one channel against any number of patterns costs time that grows with the
 * channel's depth, not with the number of patterns.
 *
 * Tokens are the parts of a name between dots (`a..b` has an empty middle
 * token). A `*` token matches exactly one token, a last `>` token one or more;
 * this is NATS's token semantics, which the NATS bus relies on. A channel with
 * `#` (user-limited) is never matched.
 *
 * @module
 */

interface TrieNode<S> {
  readonly children: Map<string, TrieNode<S>>;
  star?: TrieNode<S>;
  // Subscribers of the pattern ending here, and of the pattern `<here>.>`.
  here?: Set<S>;
  rest?: Set<S>;
}

const node = <S>(): TrieNode<S> => ({ children: new Map() });

/**
 * True when `name` is a wildcard pattern: one of its tokens is `*` or `>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isWildcard } from "@lhttp/lhttp/internal";
 * assert.ok(isWildcard("a.*.c") && isWildcard(">"));
 * assert.ok(!isWildcard("a.b"));
 * ```
 */
export function isWildcard(name: string): boolean {
  // Names reach the hub validated: "*" and ">" only ever stand as whole tokens.
  return name.includes("*") || name.includes(">");
}

/**
 * Subscribers by wildcard pattern, matched by token.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PatternTrie } from "@lhttp/lhttp/internal";
 * const trie = new PatternTrie<string>();
 * trie.add("sensors.*", "a");
 * trie.add("sensors.>", "b");
 * trie.add("other.>", "c");
 * const got: string[] = [];
 * trie.match("sensors.kitchen", (subscribers) => got.push(...subscribers));
 * assert.deepEqual(got.sort(), ["a", "b"]);
 * ```
 */
export class PatternTrie<S> {
  readonly #root: TrieNode<S> = node();
  readonly #patterns = new Map<string, Set<S>>();

  /** Number of patterns with at least one subscriber. */
  get size(): number {
    return this.#patterns.size;
  }

  /** The subscribers of `pattern`, if any. */
  subscribers(pattern: string): ReadonlySet<S> | undefined {
    return this.#patterns.get(pattern);
  }

  /** Adds `subscriber` to `pattern`; false when it already was. */
  add(pattern: string, subscriber: S): boolean {
    let set = this.#patterns.get(pattern);
    if (!set) {
      const tokens = pattern.split(".");
      const last = tokens.at(-1) === ">" ? tokens.pop() : undefined;
      let at = this.#root;
      for (const token of tokens) {
        if (token === "*") at = at.star ??= node();
        else {
          let next = at.children.get(token);
          if (!next) at.children.set(token, next = node());
          at = next;
        }
      }
      set = last ? (at.rest ??= new Set()) : (at.here ??= new Set());
      this.#patterns.set(pattern, set);
    }
    if (set.has(subscriber)) return false;
    set.add(subscriber);
    return true;
  }

  /** Removes `subscriber` from `pattern`; false when it was not in it. */
  remove(pattern: string, subscriber: S): boolean {
    const set = this.#patterns.get(pattern);
    if (!set?.delete(subscriber)) return false;
    if (set.size === 0) {
      this.#patterns.delete(pattern);
      this.#prune(pattern);
    }
    return true;
  }

  /** Calls `visit` with the subscribers of every pattern matching `channel`. */
  match(channel: string, visit: (subscribers: ReadonlySet<S>) => void): void {
    if (this.#patterns.size === 0 || channel.includes("#")) return;
    walk(this.#root, channel.split("."), 0, visit);
  }

  // Drops the nodes an emptied pattern leaves without any pattern below them.
  #prune(pattern: string): void {
    const tokens = pattern.split(".");
    const last = tokens.at(-1) === ">" ? tokens.pop() : undefined;
    const path: [TrieNode<S>, string][] = [];
    let at: TrieNode<S> | undefined = this.#root;
    for (const token of tokens) {
      path.push([at, token]);
      at = token === "*" ? at.star : at.children.get(token);
      if (!at) return;
    }
    if (last) at.rest = undefined;
    else at.here = undefined;
    for (let i = path.length - 1; i >= 0; i--) {
      const [parent, token] = path[i];
      const child = token === "*" ? parent.star! : parent.children.get(token)!;
      if (child.here || child.rest || child.star || child.children.size) return;
      if (token === "*") parent.star = undefined;
      else parent.children.delete(token);
    }
  }
}

function walk<S>(
  at: TrieNode<S>,
  tokens: readonly string[],
  i: number,
  visit: (subscribers: ReadonlySet<S>) => void,
): void {
  if (i === tokens.length) {
    if (at.here) visit(at.here);
    return;
  }
  if (at.rest) visit(at.rest);
  const next = at.children.get(tokens[i]);
  if (next) walk(next, tokens, i + 1, visit);
  if (at.star) walk(at.star, tokens, i + 1, visit);
}
