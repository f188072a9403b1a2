// Built from src/client/global.ts by scripts/build_client.ts (deno task build:client); do not edit.
(() => {
  var __defProp = Object.defineProperty;
  var __export = (target, all) => {
    for (var name in all)
      __defProp(target, name, { get: all[name], enumerable: true });
  };

  // src/client/browser.ts
  var browser_exports = {};
  __export(browser_exports, {
    AckTracker: () => AckTracker,
    BoundedQueue: () => BoundedQueue,
    ClientCore: () => ClientCore,
    ClientError: () => ClientError,
    DEFAULT_LIMITS: () => DEFAULT_LIMITS,
    DEFAULT_RECONNECT: () => DEFAULT_RECONNECT,
    Emitter: () => Emitter,
    FrameError: () => FrameError,
    FrameStream: () => FrameStream,
    Lhttp: () => Lhttp,
    LhttpClient: () => LhttpClient,
    LhttpContext: () => LhttpContext,
    LhttpError: () => LhttpError,
    RemoteError: () => RemoteError,
    SubscriptionRecord: () => SubscriptionRecord,
    Subscriptions: () => Subscriptions,
    backoffDelay: () => backoffDelay,
    binaryFrame: () => binaryFrame,
    buildMultipart: () => buildMultipart,
    channelsOf: () => channelsOf,
    createFrame: () => createFrame,
    encodeFrame: () => encodeFrame,
    isErrorFrame: () => isErrorFrame,
    multipartFrame: () => multipartFrame,
    parseFrame: () => parseFrame,
    partsOf: () => partsOf,
    serializeFrame: () => serializeFrame,
    splitMultipart: () => splitMultipart,
    textOf: () => textOf
  });

  // src/errors.ts
  var STATUS = {
    not_lhttp: 400,
    bad_version: 505,
    bad_start_line: 400,
    bad_header: 400,
    too_many_headers: 431,
    headers_too_large: 431,
    frame_too_large: 413,
    invalid_utf8: 400,
    bad_multipart: 400,
    bad_channel: 400,
    too_many_channels: 400,
    subscription_limit: 429,
    missing_publish: 400,
    unauthorized: 401,
    forbidden: 403,
    bad_upstream: 400,
    upstream_forbidden: 403,
    upstream_busy: 429,
    upstream_timeout: 504,
    upstream_unreachable: 502,
    upstream_too_large: 502,
    rate_limited: 429,
    internal: 500
  };
  var LhttpError = class extends Error {
    /** Machine-readable code, stable across versions. */
    code;
    /** HTTP-like status sent in error frames and HTTP answers. */
    status;
    /** Creates an error with a code from PROTOCOL.md's table and a readable message. */
    constructor(code, message, options) {
      super(message, options);
      this.name = "LhttpError";
      this.code = code;
      this.status = STATUS[code];
    }
  };
  var FrameError = class extends LhttpError {
    /** Creates a codec error. */
    constructor(code, message, options) {
      super(code, message, options);
      this.name = "FrameError";
    }
  };
  function quote(value, max = 60) {
    const cut = value.length > max ? value.slice(0, max) + "\u2026" : value;
    return JSON.stringify(cut);
  }

  // src/limits.ts
  var DEFAULT_LIMITS = Object.freeze({
    maxFrameBytes: 1024 * 1024,
    maxHeaders: 32,
    maxHeaderBytes: 8192,
    maxChannelsPerFrame: 40,
    maxSubscriptions: 256,
    maxChannelLength: 128,
    maxParts: 64
  });

  // src/channels.ts
  var CHANNEL = /^[A-Za-z0-9_.:@/=+~-]+$/;
  function isChannelName(name, maxLength = DEFAULT_LIMITS.maxChannelLength) {
    return name.length > 0 && name.length <= maxLength && CHANNEL.test(name);
  }
  function parseChannels(value, limits = DEFAULT_LIMITS) {
    const names = typeof value === "string" ? value.split(/[ \t]+/) : value;
    const channels = /* @__PURE__ */ new Set();
    for (const name of names) {
      if (name === "") continue;
      if (!isChannelName(name, limits.maxChannelLength)) {
        throw new LhttpError("bad_channel", `Channel ${quote(name)} must be 1 to ${limits.maxChannelLength} characters of A-Z a-z 0-9 _ . : @ / = + ~ -`);
      }
      channels.add(name);
    }
    if (channels.size === 0) {
      throw new LhttpError("bad_channel", "The channel list is empty");
    }
    if (channels.size > limits.maxChannelsPerFrame) {
      throw new LhttpError("too_many_channels", `A frame may name at most ${limits.maxChannelsPerFrame} channels, got ${channels.size}`);
    }
    return [
      ...channels
    ];
  }

  // src/frame.ts
  var PROTOCOL_VERSION = "LHTTP/1.0";
  var TOKEN = /^[^\s\x00-\x1f\x7f]{1,64}$/;
  var HEADER_NAME = /^[^\s:\x00-\x1f\x7f]+$/;
  var LINE_BREAK = /[\r\n]/;
  function createFrame(init) {
    return {
      command: init.command,
      headers: toHeaderMap(init.headers),
      body: init.body ?? ""
    };
  }
  function toHeaderMap(init) {
    const headers = /* @__PURE__ */ new Map();
    if (!init) return headers;
    const entries = Symbol.iterator in init ? init : Object.entries(init);
    for (const [name, value] of entries) {
      headers.set(name.toLowerCase(), String(value));
    }
    return headers;
  }
  function assertCommand(command) {
    if (!TOKEN.test(command)) {
      throw new FrameError("bad_start_line", `Command ${quote(command)} must be 1 to 64 characters without spaces or control characters`);
    }
  }
  function assertHeader(name, value) {
    if (!HEADER_NAME.test(name)) {
      throw new FrameError("bad_header", `Header name ${quote(name)} must be non-empty without colons, spaces or control characters`);
    }
    if (LINE_BREAK.test(value)) {
      throw new FrameError("bad_header", `Header ${quote(name)} has a value with a line break: ${quote(value)}`);
    }
  }
  function isHeaderName(name) {
    return HEADER_NAME.test(name);
  }

  // src/codec/_utf8.ts
  var encoder = new TextEncoder();
  var strictDecoder = new TextDecoder("utf-8", {
    fatal: true,
    ignoreBOM: true
  });
  function utf8Length(text) {
    let bytes = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 128) bytes += 1;
      else if (code < 2048) bytes += 2;
      else if (code >= 55296 && code <= 56319 && i + 1 < text.length) {
        const next = text.charCodeAt(i + 1);
        if (next >= 56320 && next <= 57343) {
          bytes += 4;
          i++;
        } else bytes += 3;
      } else bytes += 3;
    }
    return bytes;
  }
  function exceedsBytes(text, max) {
    if (text.length > max) return true;
    if (text.length * 3 <= max) return false;
    return utf8Length(text) > max;
  }
  function indexOfBlankLine(bytes, from = 0) {
    for (let i = bytes.indexOf(13, from); i !== -1; i = bytes.indexOf(13, i + 1)) {
      if (i + 3 >= bytes.length) return -1;
      if (bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
        return i;
      }
    }
    return -1;
  }

  // src/codec/parse.ts
  var BLANK_LINE = "\r\n\r\n";
  function parseFrame(input, limits = DEFAULT_LIMITS) {
    const max = limits.maxFrameBytes ?? DEFAULT_LIMITS.maxFrameBytes;
    if (typeof input === "string") {
      if (exceedsBytes(input, max)) throw tooLarge(max);
      const end2 = input.indexOf(BLANK_LINE);
      const head2 = end2 === -1 ? stripTrailingCrlf(input) : input.slice(0, end2);
      const body2 = end2 === -1 ? "" : input.slice(end2 + 4);
      return {
        ...parseHead(head2, limits),
        body: body2
      };
    }
    if (!(input instanceof Uint8Array)) {
      throw new FrameError("not_lhttp", "A frame must be a string or bytes");
    }
    if (input.length > max) throw tooLarge(max);
    const end = indexOfBlankLine(input);
    const headBytes = input.subarray(0, end === -1 ? input.length : end);
    const maxHead = limits.maxHeaderBytes ?? DEFAULT_LIMITS.maxHeaderBytes;
    if (headBytes.length > maxHead + 2) throw headersTooLarge(maxHead);
    let head;
    try {
      head = strictDecoder.decode(headBytes);
    } catch {
      throw new FrameError("invalid_utf8", "The start line and headers of a binary frame must be UTF-8");
    }
    const body = end === -1 ? new Uint8Array(0) : input.subarray(end + 4);
    return {
      ...parseHead(stripTrailingCrlf(head), limits),
      body
    };
  }
  function parseHead(head, limits) {
    if (!head.startsWith("LHTTP/")) {
      throw new FrameError("not_lhttp", `A frame must start with "LHTTP/1.0 ", got ${quote(head.slice(0, 20))}`);
    }
    const maxHead = limits.maxHeaderBytes ?? DEFAULT_LIMITS.maxHeaderBytes;
    if (exceedsBytes(head, maxHead)) throw headersTooLarge(maxHead);
    const lines = head.split("\r\n");
    const startLine = lines[0];
    const space = startLine.indexOf(" ");
    const version = startLine.slice(6, space === -1 ? void 0 : space);
    if (version !== "1.0") {
      throw new FrameError("bad_version", `Protocol version ${quote(version)} is not supported; use "LHTTP/1.0"`);
    }
    const command = space === -1 ? "" : startLine.slice(space + 1);
    try {
      assertCommand(command);
    } catch (error) {
      throw new FrameError("bad_start_line", `Start line ${quote(startLine)} is invalid: ${error.message}`);
    }
    const headers = parseHeaderLines(lines, 1, limits, "bad_header");
    return {
      command,
      headers
    };
  }
  function parseHeaderLines(lines, from, limits, code) {
    const headers = /* @__PURE__ */ new Map();
    const maxHeaders = limits.maxHeaders ?? DEFAULT_LIMITS.maxHeaders;
    if (lines.length - from > maxHeaders) {
      throw new FrameError(code === "bad_header" ? "too_many_headers" : code, `A frame may carry at most ${maxHeaders} headers, got ${lines.length - from}`);
    }
    for (let i = from; i < lines.length; i++) {
      const line = lines[i];
      const colon = line.indexOf(":");
      if (colon === -1) {
        throw new FrameError(code, `Header line ${quote(line)} has no colon`);
      }
      if (line.includes("\n") || line.includes("\r")) {
        throw new FrameError(code, `Header line ${quote(line)} contains a bare CR or LF`);
      }
      const name = trimBlanks(line.slice(0, colon)).toLowerCase();
      if (!isHeaderName(name)) {
        throw new FrameError(code, `Header name ${quote(name)} must be non-empty without spaces or control characters`);
      }
      headers.set(name, trimBlanks(line.slice(colon + 1)));
    }
    return headers;
  }
  function trimBlanks(text) {
    let start = 0;
    let end = text.length;
    while (start < end && isBlank(text.charCodeAt(start))) start++;
    while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
    return start === 0 && end === text.length ? text : text.slice(start, end);
  }
  function isBlank(code) {
    return code === 32 || code === 9;
  }
  function stripTrailingCrlf(text) {
    return text.endsWith("\r\n") ? text.slice(0, -2) : text;
  }
  function tooLarge(max) {
    return new FrameError("frame_too_large", `A frame may be at most ${max} bytes`);
  }
  function headersTooLarge(max) {
    return new FrameError("headers_too_large", `The start line and headers may be at most ${max} bytes`);
  }

  // src/codec/serialize.ts
  function serializeFrame(frame) {
    const head = serializeHead(frame);
    const body = frame.body ?? "";
    return typeof body === "string" ? head + body : concat(head, body);
  }
  function encodeFrame(frame) {
    const data = serializeFrame(frame);
    return typeof data === "string" ? encoder.encode(data) : data;
  }
  function serializeHead(frame) {
    assertCommand(frame.command);
    let head = PROTOCOL_VERSION + " " + frame.command + "\r\n";
    for (const [name, value] of frame.headers) {
      assertHeader(name, value);
      head += name + ":" + value + "\r\n";
    }
    return head + "\r\n";
  }
  function concat(head, body) {
    const headBytes = encoder.encode(head);
    const out = new Uint8Array(headBytes.length + body.length);
    out.set(headBytes);
    out.set(body, headBytes.length);
    return out;
  }

  // src/client/errors.ts
  var ClientError = class extends Error {
    /** Machine-readable code. */
    code;
    /** Creates an error with a code and a readable message. */
    constructor(code, message, options) {
      super(message, options);
      this.name = "ClientError";
      this.code = code;
    }
  };
  var RemoteError = class _RemoteError extends Error {
    /** The HTTP-like status from the `status` header. */
    status;
    /** The server's machine code (PROTOCOL.md's table), `unknown` if absent. */
    code;
    /** The server's readable reason. */
    reason;
    /** The error frame itself. */
    frame;
    /** Creates an error from its parts; see {@linkcode RemoteError.fromFrame}. */
    constructor(status, code, reason, frame) {
      super(`${status} ${code}: ${reason}`);
      this.name = "RemoteError";
      this.status = status;
      this.code = code;
      this.reason = reason;
      this.frame = frame;
    }
    /** Reads an error frame's `status`, `code` and `reason` headers. */
    static fromFrame(frame) {
      const status = Number(frame.headers.get("status"));
      return new _RemoteError(Number.isInteger(status) ? status : 500, frame.headers.get("code") ?? "unknown", frame.headers.get("reason") ?? "", frame);
    }
  };
  function isErrorFrame(frame) {
    const status = Number(frame.headers.get("status"));
    return status >= 400;
  }

  // src/client/acks.ts
  var AckTracker = class {
    #next = 1;
    #pending = /* @__PURE__ */ new Map();
    #clock;
    #timeout;
    /** `timeout` in ms counts from {@linkcode AckTracker.sent}; 0 waits forever. */
    constructor(clock, timeout) {
      this.#clock = clock;
      this.#timeout = timeout;
    }
    /** Acknowledgements not settled yet. */
    get size() {
      return this.#pending.size;
    }
    /** A new id and the promise its answer settles. */
    create() {
      const id = String(this.#next++);
      const promise = new Promise((resolve, reject) => {
        this.#pending.set(id, {
          resolve,
          reject
        });
      });
      return {
        id,
        promise
      };
    }
    /** The frame carrying `id` was written: the timeout starts now, not while queued offline. */
    sent(id) {
      const pending = this.#pending.get(id);
      if (!pending || this.#timeout <= 0) return;
      pending.timer = this.#clock.setTimeout(() => {
        this.reject(id, new ClientError("ack_timeout", `No acknowledgement within ${this.#timeout} ms`));
      }, this.#timeout);
    }
    /**
     * Settles the acknowledgement a frame answers; true when it did (the frame
     * is then consumed). Later frames with the same id, such as an upstream
     * answer after the 200, pass through as ordinary frames.
     */
    settle(frame) {
      const id = frame.headers.get("ack");
      if (id === void 0) return false;
      const pending = this.#take(id);
      if (!pending) return false;
      if (isErrorFrame(frame)) pending.reject(RemoteError.fromFrame(frame));
      else pending.resolve(frame);
      return true;
    }
    /** Rejects one acknowledgement. */
    reject(id, error) {
      this.#take(id)?.reject(error);
    }
    /** Rejects every acknowledgement in `ids` (all when omitted). */
    rejectAll(error, ids) {
      for (const id of ids ? [
        ...ids
      ] : [
        ...this.#pending.keys()
      ]) this.reject(id, error);
    }
    #take(id) {
      const pending = this.#pending.get(id);
      if (!pending) return void 0;
      this.#pending.delete(id);
      if (pending.timer !== void 0) this.#clock.clearTimeout(pending.timer);
      return pending;
    }
  };

  // src/client/backoff.ts
  var DEFAULT_RECONNECT = Object.freeze({
    initialDelay: 500,
    maxDelay: 1e4,
    maxAttempts: Infinity
  });
  function backoffDelay(attempt, options = {}, random = Math.random) {
    const initial = options.initialDelay ?? DEFAULT_RECONNECT.initialDelay;
    const max = options.maxDelay ?? DEFAULT_RECONNECT.maxDelay;
    const ceiling = Math.min(max, initial * 2 ** Math.min(attempt, 52));
    return Math.floor(random() * ceiling);
  }

  // src/client/emitter.ts
  var Emitter = class {
    #listeners = /* @__PURE__ */ new Map();
    /** Adds a listener; returns a function that removes it. */
    on(name, listener) {
      let set = this.#listeners.get(name);
      if (!set) this.#listeners.set(name, set = /* @__PURE__ */ new Set());
      set.add(listener);
      return () => this.off(name, listener);
    }
    /** Adds a listener called at most once. */
    once(name, listener) {
      const off = this.on(name, (event) => {
        off();
        listener(event);
      });
      return off;
    }
    /** Removes a listener. */
    off(name, listener) {
      this.#listeners.get(name)?.delete(listener);
    }
    /**
     * Calls every listener of `name`. A throwing listener is reported on the
     * next task instead of stopping the others or the client's own bookkeeping.
     */
    emit(name, event) {
      const set = this.#listeners.get(name);
      if (!set) return;
      for (const listener of [
        ...set
      ]) {
        try {
          listener(event);
        } catch (error) {
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    }
    /** The number of listeners of `name`. */
    listenerCount(name) {
      return this.#listeners.get(name)?.size ?? 0;
    }
  };

  // src/client/options.ts
  var globalClock = {
    setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle)
  };
  function resolveOptions(options = {}) {
    const global2 = globalThis;
    return {
      WebSocket: options.WebSocket ?? global2.WebSocket,
      protocols: options.protocols,
      reconnect: options.reconnect === false ? false : {
        ...DEFAULT_RECONNECT,
        ...definedOnly(options.reconnect ?? {})
      },
      queueSize: options.queueSize ?? 100,
      acks: options.acks ?? true,
      ackTimeout: options.ackTimeout ?? 1e4,
      clock: options.clock ?? globalClock,
      random: options.random ?? Math.random
    };
  }
  function definedOnly(value) {
    return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== void 0));
  }

  // src/client/queue.ts
  var BoundedQueue = class {
    #items = [];
    /** The most entries the queue holds. */
    capacity;
    /** Creates a queue of `capacity` entries (0: refuses everything). */
    constructor(capacity) {
      this.capacity = capacity;
    }
    /** Entries waiting. */
    get size() {
      return this.#items.length;
    }
    /** Appends `item`; false (and nothing added) when full. */
    push(item) {
      if (this.#items.length >= this.capacity) return false;
      this.#items.push(item);
      return true;
    }
    /** Removes and returns every entry, oldest first. */
    drain() {
      return this.#items.splice(0);
    }
  };

  // src/client/client.ts
  var INCOMING_LIMITS = {
    maxFrameBytes: Infinity,
    maxHeaders: 4096,
    maxHeaderBytes: 1 << 24
  };
  var ClientCore = class {
    /** The server's WebSocket URL. */
    url;
    /** The resolved options. */
    options;
    /** Typed events. */
    events = new Emitter();
    /** Acknowledgements awaited. */
    acks;
    #state = "connecting";
    #socket;
    #queue;
    #inFlight = /* @__PURE__ */ new Set();
    #attempt = 0;
    #timer;
    #everOpen = false;
    #closed;
    /** Connects at once; throws a `no_websocket` {@linkcode ClientError} without a WebSocket. */
    constructor(url, options = {}) {
      this.url = String(url);
      this.options = resolveOptions(options);
      if (!this.options.WebSocket) {
        throw new ClientError("no_websocket", "No global WebSocket here: pass one as options.WebSocket (on Node 20, from the ws package)");
      }
      this.acks = new AckTracker(this.options.clock, this.options.ackTimeout);
      this.#queue = new BoundedQueue(this.options.queueSize);
      this.#connect();
    }
    /** The current state. */
    get state() {
      return this.#state;
    }
    /** Frames waiting in the offline queue. */
    get queued() {
      return this.#queue.size;
    }
    /** Adds an event listener; returns a function that removes it. */
    on(name, listener) {
      return this.events.on(name, listener);
    }
    /** Adds a listener called at most once. */
    once(name, listener) {
      return this.events.once(name, listener);
    }
    /** Removes an event listener. */
    off(name, listener) {
      this.events.off(name, listener);
    }
    /** Resolves once open (at once if open); rejects with a `closed` error once closed. */
    opened() {
      if (this.#state === "open") return Promise.resolve();
      if (this.#state === "closed") return Promise.reject(closedError());
      return new Promise((resolve, reject) => {
        const off = this.on("state", ({ to }) => {
          if (to === "open") off(), resolve();
          if (to === "closed") off(), reject(closedError());
        });
      });
    }
    /**
     * Closes for good: no reconnect; pending acknowledgements, queued frames and
     * subscriptions' `ready` are rejected with a `closed` error; iterators end.
     * Resolves once the socket has closed.
     */
    close(code = 1e3, reason = "") {
      if (this.#state === "closed") return Promise.resolve();
      if (this.#timer !== void 0) this.options.clock.clearTimeout(this.#timer);
      this.#timer = void 0;
      const socket = this.#socket;
      const done = socket ? new Promise((resolve) => this.#closed = resolve) : void 0;
      this.finish(new ClientError("closed", "The client was closed"));
      try {
        socket?.close(code, reason);
      } catch {
        socket?.close();
      }
      return done ?? Promise.resolve();
    }
    /**
     * Writes a frame now when open, else queues it. With `ack`, the promise
     * settles on the server's answer; without, once the frame is written.
     */
    transmit(frame, ack) {
      if (this.#state === "closed") return Promise.reject(closedError());
      const out = {
        frame,
        data: ""
      };
      let promise;
      if (ack) {
        const created = this.acks.create();
        out.id = created.id;
        promise = created.promise;
      } else {
        promise = new Promise((resolve, reject) => out.written = {
          resolve,
          reject
        });
      }
      try {
        const headers = out.id === void 0 ? frame.headers : new Map(frame.headers);
        if (out.id !== void 0) headers.set("ack", out.id);
        out.data = serializeFrame({
          command: frame.command,
          headers,
          body: frame.body
        });
      } catch (error) {
        this.#reject(out, new ClientError("bad_request", error.message, {
          cause: error
        }));
        return promise.then(() => {
        });
      }
      this.#writeOrQueue(out);
      return promise.then(() => {
      });
    }
    /** Called once open, before queued frames are flushed; subclasses restore state here. */
    restore() {
    }
    /** Called with every frame that is not an acknowledgement the client awaited. */
    dispatch(frame) {
      this.events.emit("frame", frame);
    }
    /** Moves to `closed` and fails everything pending with `error`. */
    finish(error) {
      this.#setState("closed");
      this.acks.rejectAll(error);
      this.#inFlight.clear();
      for (const out of this.#queue.drain()) this.#reject(out, error);
    }
    #writeOrQueue(out) {
      const socket = this.#socket;
      if (this.#state === "open" && socket && socket.readyState === 1) {
        try {
          socket.send(out.data);
        } catch (error2) {
          this.#reject(out, new ClientError("disconnected", "The socket refused the frame", {
            cause: error2
          }));
          return;
        }
        if (out.id !== void 0) {
          this.#inFlight.add(out.id);
          this.acks.sent(out.id);
        } else out.written?.resolve();
        return;
      }
      if (this.#queue.push(out)) return;
      const error = new ClientError("queue_full", `Not connected and the offline queue is full (${this.#queue.capacity} frames)`);
      this.#reject(out, error);
      this.events.emit("queuefull", {
        frame: out.frame,
        capacity: this.#queue.capacity,
        error
      });
    }
    #reject(out, error) {
      if (out.id !== void 0) this.acks.reject(out.id, error);
      else out.written?.reject(error);
    }
    #connect() {
      let socket;
      try {
        socket = new this.options.WebSocket(this.url, this.options.protocols);
      } catch (error) {
        this.events.emit("error", error);
        this.finish(new ClientError("closed", `Cannot connect to ${this.url}: ${error.message}`));
        return;
      }
      this.#socket = socket;
      socket.binaryType = "arraybuffer";
      socket.onopen = () => socket === this.#socket && this.#onOpen();
      socket.onmessage = (event) => socket === this.#socket && this.#onMessage(event.data);
      socket.onerror = () => {
      };
      socket.onclose = (event) => this.#onClose(socket, event.code, event.reason);
    }
    #onOpen() {
      const reconnected = this.#everOpen;
      this.#everOpen = true;
      this.#attempt = 0;
      const from = this.#state;
      this.#state = "open";
      this.restore();
      for (const out of this.#queue.drain()) this.#writeOrQueue(out);
      if (this.#state !== "open") return;
      this.events.emit("state", {
        from,
        to: "open"
      });
      this.events.emit("open", {
        reconnected
      });
    }
    #onMessage(data) {
      let frame;
      try {
        frame = parseFrame(toFrameInput(data), INCOMING_LIMITS);
      } catch (error) {
        this.events.emit("error", new ClientError("bad_frame", error.message, {
          cause: error
        }));
        return;
      }
      const id = frame.headers.get("ack");
      if (this.acks.settle(frame)) {
        this.#inFlight.delete(id);
        return;
      }
      if (isErrorFrame(frame) && frame.headers.has("code")) {
        this.events.emit("error", RemoteError.fromFrame(frame));
      }
      this.dispatch(frame);
    }
    #onClose(socket, code, reason) {
      if (socket !== this.#socket) return;
      this.#socket = void 0;
      const wasOpen = this.#state === "open";
      this.acks.rejectAll(new ClientError("disconnected", "The connection closed before the server acknowledged"), this.#inFlight);
      this.#inFlight.clear();
      if (this.#state === "closed") {
        this.events.emit("close", {
          code,
          reason,
          wasOpen: false,
          reconnecting: false
        });
        this.#closed?.();
        return;
      }
      const retry = this.options.reconnect;
      const reconnecting = retry !== false && this.#attempt < retry.maxAttempts;
      this.events.emit("close", {
        code,
        reason,
        wasOpen,
        reconnecting
      });
      if (!reconnecting) {
        this.finish(new ClientError("closed", `Connection to ${this.url} lost (code ${code})`));
        return;
      }
      const delay = backoffDelay(this.#attempt, retry, this.options.random);
      this.#attempt++;
      this.#setState("reconnecting");
      this.events.emit("reconnecting", {
        attempt: this.#attempt,
        delay
      });
      this.#timer = this.options.clock.setTimeout(() => {
        this.#timer = void 0;
        if (this.#state === "reconnecting") this.#connect();
      }, delay);
    }
    #setState(to) {
      const from = this.#state;
      if (from === to) return;
      this.#state = to;
      this.events.emit("state", {
        from,
        to
      });
    }
  };
  function closedError() {
    return new ClientError("closed", "The client is closed");
  }
  function toFrameInput(data) {
    if (typeof data === "string") return data;
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    if (ArrayBuffer.isView(data)) {
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    }
    throw new TypeError("Unsupported WebSocket message type (set binaryType to arraybuffer)");
  }

  // src/client/stream.ts
  var FrameStream = class {
    #buffer = [];
    #waiting = [];
    #done = false;
    #detach;
    /** `detach` is called once, when the stream ends or its reader leaves. */
    constructor(detach) {
      this.#detach = detach;
    }
    /** Adds a frame, handing it straight to a waiting reader if there is one. */
    push(frame) {
      if (this.#done) return;
      const waiter = this.#waiting.shift();
      if (waiter) waiter({
        value: frame,
        done: false
      });
      else this.#buffer.push(frame);
    }
    /** Ends the stream once the buffered frames are read. */
    end() {
      if (this.#done) return;
      this.#done = true;
      this.#detach();
      for (const waiter of this.#waiting.splice(0)) waiter({
        value: void 0,
        done: true
      });
    }
    /** The next frame, or done once ended and drained. */
    next() {
      const frame = this.#buffer.shift();
      if (frame) return Promise.resolve({
        value: frame,
        done: false
      });
      if (this.#done) return Promise.resolve({
        value: void 0,
        done: true
      });
      return new Promise((resolve) => this.#waiting.push(resolve));
    }
    /** Stops reading (what `break` in `for await` calls). */
    return() {
      this.#buffer.length = 0;
      this.end();
      return Promise.resolve({
        value: void 0,
        done: true
      });
    }
    /** The stream is its own iterator. */
    [Symbol.asyncIterator]() {
      return this;
    }
  };

  // src/codec/multipart.ts
  function splitMultipart(frame, limits = DEFAULT_LIMITS) {
    const header = frame.headers.get("multipart");
    if (header === void 0) return void 0;
    const binary = typeof frame.body !== "string";
    const bytes = binary ? frame.body : encoder.encode(frame.body);
    const offsets = parseOffsets(header, bytes.length, limits.maxParts ?? DEFAULT_LIMITS.maxParts);
    return offsets.map((start, i) => {
      const end = i + 1 < offsets.length ? offsets[i + 1] : bytes.length;
      return parsePart(bytes.subarray(start, end), binary, i, limits);
    });
  }
  function parseOffsets(header, length, maxParts) {
    const fields = header.split(/[ \t]+/).filter((field) => field !== "");
    if (fields.length === 0 || fields.length > maxParts) {
      throw new FrameError("bad_multipart", `Multipart header ${quote(header)} must list 1 to ${maxParts} offsets`);
    }
    let previous = -1;
    return fields.map((field) => {
      const offset = /^\d{1,10}$/.test(field) ? Number(field) : NaN;
      if (!(offset > previous) || offset > length) {
        throw new FrameError("bad_multipart", `Multipart offset ${quote(field)} must be a whole number, increasing, within the ${length}-byte body`);
      }
      previous = offset;
      return offset;
    });
  }
  function parsePart(bytes, binary, index, limits) {
    const startsBlank = bytes[0] === 13 && bytes[1] === 10;
    const end = startsBlank ? 0 : indexOfBlankLine(bytes);
    const headEnd = end === -1 ? bytes.length : end;
    const bodyStart = startsBlank ? 2 : end === -1 ? bytes.length : end + 4;
    try {
      let head = strictDecoder.decode(bytes.subarray(0, headEnd));
      if (head.endsWith("\r\n")) head = head.slice(0, -2);
      const lines = head === "" ? [] : head.split("\r\n");
      const headers = parseHeaderLines(lines, 0, limits, "bad_multipart");
      const bodyBytes = bytes.subarray(bodyStart);
      const body = binary ? bodyBytes : strictDecoder.decode(bodyBytes);
      return {
        headers,
        body
      };
    } catch (error) {
      const reason = error instanceof FrameError ? error.message : "it is not valid UTF-8";
      throw new FrameError("bad_multipart", `Multipart part ${index} is invalid: ${reason}`);
    }
  }
  function buildMultipart(parts) {
    const heads = parts.map((part) => {
      let head = "";
      for (const [name, value] of toHeaderMap(part.headers)) {
        assertHeader(name, value);
        head += name + ":" + value + "\r\n";
      }
      return head + "\r\n";
    });
    const offsets = [];
    let position = 0;
    parts.forEach((part, i) => {
      offsets.push(position);
      const bodyLength = typeof part.body === "string" ? utf8Length(part.body) : part.body.length;
      position += utf8Length(heads[i]) + bodyLength;
    });
    const binary = parts.some((part) => typeof part.body !== "string");
    if (!binary) {
      return {
        offsets: offsets.join(" "),
        body: parts.map((part, i) => heads[i] + part.body).join("")
      };
    }
    const body = new Uint8Array(position);
    parts.forEach((part, i) => {
      const head = encoder.encode(heads[i]);
      body.set(head, offsets[i]);
      body.set(typeof part.body === "string" ? encoder.encode(part.body) : part.body, offsets[i] + head.length);
    });
    return {
      offsets: offsets.join(" "),
      body
    };
  }

  // src/client/frames.ts
  function binaryFrame(command, body, headers) {
    const bytes = body instanceof Uint8Array ? body : new Uint8Array(body);
    return createFrame({
      command,
      headers,
      body: bytes
    });
  }
  function multipartFrame(command, parts, headers) {
    const { offsets, body } = buildMultipart(parts);
    const map = toHeaderMap(headers);
    map.set("multipart", offsets);
    return {
      command,
      headers: map,
      body
    };
  }
  function partsOf(frame) {
    return splitMultipart(frame, {
      maxParts: 1024,
      maxHeaders: 1024,
      maxHeaderBytes: 1 << 20
    });
  }
  function channelsOf(frame) {
    const value = frame.headers.get("publish");
    return value === void 0 ? [] : value.split(/[ \t]+/).filter((name) => name !== "");
  }
  function textOf(frame) {
    return typeof frame.body === "string" ? frame.body : new TextDecoder().decode(frame.body);
  }

  // src/client/subscriptions.ts
  var SubscriptionRecord = class {
    /** The channel. */
    channel;
    /** The frame that subscribes (re-sent after every reconnect). */
    frame;
    /** One entry per `subscribe()` call still active. */
    listeners = /* @__PURE__ */ new Set();
    /** Settles on the first acknowledgement (or refusal) of the subscription. */
    ready;
    #resolve;
    #reject;
    #settled = false;
    /** Creates a record for `channel`, subscribed by `frame`. */
    constructor(channel, frame) {
      this.channel = channel;
      this.frame = frame;
      this.ready = new Promise((resolve, reject) => {
        this.#resolve = resolve;
        this.#reject = reject;
      });
      this.ready.catch(() => {
      });
    }
    /** Resolves `ready` (once). */
    confirm() {
      if (!this.#settled) this.#settled = true, this.#resolve();
    }
    /** Rejects `ready` (once). */
    fail(error) {
      if (!this.#settled) this.#settled = true, this.#reject(error);
    }
  };
  var Subscriptions = class {
    #records = /* @__PURE__ */ new Map();
    /** The record of `channel`, if subscribed. */
    get(channel) {
      return this.#records.get(channel);
    }
    /** Adds a record for `channel` (which must not have one). */
    add(channel, frame) {
      const record = new SubscriptionRecord(channel, frame);
      this.#records.set(channel, record);
      return record;
    }
    /** Removes `record` if it is still the one for its channel; true when it was. */
    remove(record) {
      if (this.#records.get(record.channel) !== record) return false;
      this.#records.delete(record.channel);
      return true;
    }
    /** Every record, in subscription order. */
    all() {
      return [
        ...this.#records.values()
      ];
    }
    /** Calls the handlers of each subscribed channel named in the frame's `publish` header. */
    dispatch(frame) {
      for (const channel of channelsOf(frame)) {
        const record = this.#records.get(channel);
        if (!record) continue;
        for (const listener of [
          ...record.listeners
        ]) {
          try {
            listener.handler?.(frame);
          } catch (error) {
            queueMicrotask(() => {
              throw error;
            });
          }
        }
      }
    }
  };

  // src/client/api.ts
  var LhttpClient = class extends ClientCore {
    #subscriptions = new Subscriptions();
    #commands = /* @__PURE__ */ new Map();
    #streams = /* @__PURE__ */ new Set();
    /**
     * Subscribes to `channel`; `handler` gets every frame published to it. The
     * subscription is restored after every reconnect until unsubscribed. A
     * refused subscription is dropped, its `ready` rejected and an `error` emitted.
     * Throws an `LhttpError` (`bad_channel`) on an invalid channel name.
     */
    subscribe(channel, handler, options = {}) {
      const [name, ...more] = parseChannels(channel);
      if (more.length > 0) throw new TypeError("subscribe() takes one channel");
      let record = this.#subscriptions.get(name);
      if (!record) {
        const frame = createFrame({
          command: options.command ?? "subscribe",
          headers: options.headers,
          body: options.body ?? ""
        });
        frame.headers.set("subscribe", name);
        record = this.#subscriptions.add(name, frame);
        if (this.state === "open") this.#sendSubscribe(record);
        if (this.state === "closed") record.fail(new ClientError("closed", "The client is closed"));
      }
      const listener = {
        handler
      };
      record.listeners.add(listener);
      const current = record;
      const unsubscribe = () => {
        current.listeners.delete(listener);
        if (current.listeners.size > 0 || !this.#subscriptions.remove(current)) {
          return Promise.resolve();
        }
        current.fail(new ClientError("closed", "Unsubscribed before the server acknowledged"));
        if (this.state !== "open") return Promise.resolve();
        return this.transmit(createFrame({
          command: "unsubscribe",
          headers: {
            unsubscribe: name
          }
        }), this.options.acks);
      };
      return Object.assign(unsubscribe, {
        channel: name,
        ready: current.ready
      });
    }
    /** The channels subscribed to (or to be subscribed once connected). */
    get channels() {
      return this.#subscriptions.all().map((record) => record.channel);
    }
    /**
     * Publishes `body` to one or more channels. Resolves when the server
     * acknowledged; rejects with a {@linkcode RemoteError} (status, code, reason)
     * when it refused, or a {@linkcode ClientError} (`queue_full`, `disconnected`,
     * `closed`, `ack_timeout`, `bad_request`).
     */
    publish(channels, body = "", options = {}) {
      let list;
      try {
        list = parseChannels(channels);
      } catch (error) {
        return Promise.reject(error);
      }
      const headers = toHeaderMap(options.headers);
      headers.set("publish", list.join(" "));
      return this.transmit({
        command: options.command ?? "message",
        headers,
        body
      }, this.options.acks);
    }
    /**
     * Sends any frame as it is. With `{ ack: true }` it asks the server to
     * acknowledge and settles on its answer; otherwise it resolves once written.
     */
    send(frame, options = {}) {
      const full = frame.headers instanceof Map ? frame : createFrame(frame);
      return this.transmit(full, options.ack ?? false);
    }
    /** Calls `handler` with every incoming frame of `command`; returns a function that stops it. */
    onCommand(command, handler) {
      let set = this.#commands.get(command);
      if (!set) this.#commands.set(command, set = /* @__PURE__ */ new Set());
      set.add(handler);
      return () => void set.delete(handler);
    }
    /** An async iterator over incoming frames from now on; it ends when the client closes. */
    frames() {
      const stream = new FrameStream(() => this.#streams.delete(stream));
      if (this.state === "closed") stream.end();
      else this.#streams.add(stream);
      return stream;
    }
    /** `for await (const frame of client)`: see {@linkcode LhttpClient.frames}. */
    [Symbol.asyncIterator]() {
      return this.frames();
    }
    /** Re-sends every subscription on a fresh socket. */
    restore() {
      for (const record of this.#subscriptions.all()) this.#sendSubscribe(record);
    }
    /** Routes a frame to listeners, command handlers, subscriptions and iterators. */
    dispatch(frame) {
      super.dispatch(frame);
      for (const handler of [
        ...this.#commands.get(frame.command) ?? []
      ]) {
        try {
          handler(frame);
        } catch (error) {
          queueMicrotask(() => {
            throw error;
          });
        }
      }
      this.#subscriptions.dispatch(frame);
      for (const stream of this.#streams) stream.push(frame);
    }
    /** Also fails subscriptions still waiting and ends the iterators. */
    finish(error) {
      super.finish(error);
      for (const record of this.#subscriptions.all()) record.fail(error);
      for (const stream of [
        ...this.#streams
      ]) stream.end();
    }
    #sendSubscribe(record) {
      this.transmit(record.frame, this.options.acks).then(() => record.confirm(), (error) => {
        if (error instanceof RemoteError) {
          this.#subscriptions.remove(record);
          record.fail(error);
          this.events.emit("error", error);
        } else if (!(error instanceof ClientError && error.code === "disconnected")) {
          record.fail(error);
        }
      });
    }
  };

  // src/client/compat.ts
  var LhttpContext = class {
    #owner;
    #command = "";
    #headers = /* @__PURE__ */ new Map();
    /** The frame being handled (set before `on_message`). */
    frame;
    /** Created by {@linkcode Lhttp}. */
    constructor(owner) {
      this.#owner = owner;
    }
    /** The received frame's command (else the one set). */
    getCommand() {
      return this.frame?.command ?? this.#command;
    }
    /** A header of the received frame, case-insensitive. */
    getHeader(name) {
      return this.frame?.headers.get(String(name).toLowerCase());
    }
    /** Every header of the received frame as an object. */
    getHeaders() {
      return Object.fromEntries(this.frame?.headers ?? []);
    }
    /** The received frame's body as text ("" when none). */
    getBody() {
      return this.frame ? textOf(this.frame) : "";
    }
    /** The received frame's multipart parts as a linked list, or null. */
    getMultipart() {
      const parts = this.frame ? partsOf(this.frame) : void 0;
      if (!parts) return null;
      const nodes = parts.map((part, i) => ({
        getHeaders: () => Object.fromEntries(part.headers),
        getHeader: (name) => part.headers.get(String(name).toLowerCase()),
        getBody: () => textOf(part),
        getNext: () => nodes[i + 1] ?? null
      }));
      return nodes[0] ?? null;
    }
    /** Sets the command of the frames `send` writes. */
    setCommand(command) {
      this.#command = command;
    }
    /** Adds a header to every later frame this context sends. */
    addHeader(name, value) {
      this.#headers.set(String(name).toLowerCase(), String(value));
    }
    /** Sends a frame with the set command and added headers. */
    send(body = "") {
      const command = this.#command || this.frame?.command || "message";
      this.#report(this.#owner.client.send({
        command,
        headers: new Map(this.#headers),
        body
      }));
    }
    /** Publishes `body` to `channel` (space-separated list) with `command` and extra headers. */
    publish(channel, command, headers, body = "") {
      this.#command = command;
      this.#report(this.#owner.client.publish(channel, body ?? "", {
        command,
        headers: this.#merge(headers)
      }));
    }
    /** Subscribes to `channel` (space-separated list); restored after reconnects. */
    subscribe(channel, command, headers, body = "") {
      this.#command = command;
      for (const name of String(channel).split(/[ \t]+/).filter(Boolean)) {
        if (this.#owner.subscriptions.has(name)) continue;
        try {
          const subscription = this.#owner.client.subscribe(name, void 0, {
            command,
            headers: this.#merge(headers),
            body: body ?? ""
          });
          this.#owner.subscriptions.set(name, subscription);
        } catch (error) {
          this.#owner.on_error(this, error);
        }
      }
    }
    /** Unsubscribes from `channel` (space-separated list). */
    unsubscribe(channel) {
      for (const name of String(channel).split(/[ \t]+/).filter(Boolean)) {
        const subscription = this.#owner.subscriptions.get(name);
        this.#owner.subscriptions.delete(name);
        if (subscription) this.#report(subscription());
      }
    }
    #merge(headers) {
      const merged = new Map(this.#headers);
      for (const [name, value] of Object.entries(headers ?? {})) {
        merged.set(name.toLowerCase(), String(value));
      }
      return merged;
    }
    #report(result) {
      result.catch((error) => this.#owner.on_error(this, error));
    }
  };
  var Lhttp = class {
    /** The client underneath. */
    client;
    /** The long-lived context. */
    context;
    /** Channels subscribed through the context. */
    subscriptions = /* @__PURE__ */ new Map();
    /** Connects to `url`; `options` are {@linkcode LhttpClient}'s (acknowledgements off by default). */
    constructor(url, options = {}) {
      this.client = new LhttpClient(url, {
        acks: false,
        ...options
      });
      this.context = new LhttpContext(this);
      this.client.on("open", () => this.on_open(this.context));
      this.client.on("frame", (frame) => {
        this.context.frame = frame;
        this.on_message(this.context);
      });
      this.client.on("close", ({ wasOpen }) => {
        if (!wasOpen) this.on_error(this.context, new Error(`Cannot connect to ${url}`));
        this.on_close(this.context);
      });
      this.client.on("error", (error) => this.on_error(this.context, error));
    }
    /** Called on every open (again after each reconnect; subscriptions are already restored). */
    on_open(_context) {
    }
    /** Called with every incoming frame. */
    on_message(_context) {
    }
    /** Called whenever the connection closes (a reconnect may follow). */
    on_close(_context) {
    }
    /** Called on a failed connect, a refused or failed send, or a server error frame. */
    on_error(_context, _error) {
    }
    /** Closes for good. */
    close() {
      return this.client.close();
    }
  };

  // src/client/global.ts
  var global = globalThis;
  global.lhttp = browser_exports;
  global.Lhttp = Lhttp;
})();
