/**
 * The entry of the `lhttp-shared-worker.js` bundle: a `SharedWorker` that
 * holds one connection for the tabs of a `SharedLhttpClient`.
 *
 * @module
 */

import { serveSharedWorker } from "./shared_worker.ts";

serveSharedWorker();
