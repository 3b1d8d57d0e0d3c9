// Transport: HTTP to the daemon over its Unix socket or loopback TCP, with
// the token and the app header on every request. It follows the daemon
// when it restarts elsewhere: on a failed connection it reads the endpoint
// and token files again and retries once when they changed.

import http from 'node:http';
import { readDaemonFiles } from './datadir.js';
import { NotRunningError, START_HINT, errorFromAnswer } from './errors.js';

// Errors that happen before a request reaches the daemon, so retrying it
// (even a POST) cannot do anything twice.
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOENT', 'ENOTSOCK', 'EADDRNOTAVAIL', 'ECONNABORTED']);

export class Transport {
  #dataDir;
  #app;
  #files = null;
  // Idle kept-alive sockets do not keep the process alive (Node unrefs
  // them) and are closed after a while.
  #agent = new http.Agent({ keepAlive: true, timeout: 30_000 });

  constructor({ dataDir, app }) {
    this.#dataDir = dataDir;
    this.#app = app;
  }

  get dataDir() {
    return this.#dataDir;
  }

  get app() {
    return this.#app;
  }

  /** The endpoint line in use (after the first request). */
  get endpoint() {
    return this.#files?.endpoint;
  }

  /**
   * send makes one request and resolves with the IncomingMessage (the body
   * unread). body is a JS value sent as JSON, or undefined. stream: a
   * connection of its own (event streams), not one of the shared pool.
   */
  async send(method, path, { body, headers = {}, stream = false, signal } = {}) {
    let files = this.#files ?? (this.#files = await readDaemonFiles(this.#dataDir));
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let reloaded = false;
    let resetRetried = false;
    for (;;) {
      try {
        const res = await this.#once(files, method, path, payload, headers, stream, signal);
        if (res.statusCode === 401 && !reloaded) {
          // The token file may have been made anew (a new data dir).
          reloaded = true;
          const fresh = await readDaemonFiles(this.#dataDir).catch(() => null);
          if (fresh && fresh.token !== files.token) {
            res.resume();
            files = this.#files = fresh;
            continue;
          }
        }
        return res;
      } catch (err) {
        if (signal?.aborted) throw err;
        if (err.code === 'ECONNRESET' && err.reusedSocket && !resetRetried) {
          // A kept-alive connection the daemon closed (or lost in a
          // restart) before it read the request: retry on a fresh one.
          resetRetried = true;
          continue;
        }
        if (!CONNECT_ERRORS.has(err.code)) {
          throw new TypeError(`bgfetch: the connection to the daemon at ${files.endpoint} failed: ${err.message}`, { cause: err });
        }
        if (!reloaded) {
          reloaded = true;
          const fresh = await readDaemonFiles(this.#dataDir); // NotRunningError when gone
          if (fresh.endpoint !== files.endpoint || fresh.token !== files.token) {
            files = this.#files = fresh;
            continue;
          }
        }
        throw new NotRunningError(`bgfetch is not running (nothing answers at ${files.endpoint}) — ${START_HINT}`, { cause: err });
      }
    }
  }

  /** request sends and reads the whole answer: {status, headers, data} (data: parsed JSON or null). */
  async request(method, path, options) {
    const res = await this.send(method, path, options);
    const data = await readJSON(res);
    return { status: res.statusCode, headers: res.headers, data };
  }

  /** call answers the JSON of a 2xx answer, or rejects with the web's error. */
  async call(method, path, body) {
    const { status, data } = await this.request(method, path, { body });
    if (status < 200 || status > 299) throw errorFromAnswer(status, data);
    return data;
  }

  close() {
    this.#agent.destroy();
  }

  #once(files, method, path, payload, headers, stream, signal) {
    return new Promise((resolve, reject) => {
      const h = {
        Authorization: `Bearer ${files.token}`,
        'Bgfetch-App': this.#app,
        Accept: 'application/json',
        ...headers,
      };
      if (payload !== undefined) {
        h['Content-Type'] = 'application/json';
        h['Content-Length'] = Buffer.byteLength(payload);
      }
      const req = http.request({
        ...files.target,
        method,
        path,
        headers: h,
        agent: stream ? false : this.#agent,
        signal,
      });
      req.once('response', resolve);
      req.once('error', (err) => {
        err.reusedSocket = req.reusedSocket;
        reject(err);
      });
      req.end(payload);
    });
  }
}

/** readJSON reads an answer's body: parsed JSON, or null when empty or not JSON. */
export async function readJSON(res) {
  res.setEncoding('utf8');
  let text = '';
  for await (const chunk of res) text += chunk;
  if (!text.trim()) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
