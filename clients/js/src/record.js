// BackgroundFetchRecord: one request of a fetch and the promise of its
// response, whose body streams from the daemon
// (GET /v1/registrations/{uid}/records/{index}/body).

import { Readable } from 'node:stream';
import { INTERNAL } from './internal.js';
import { errorFromAnswer } from './errors.js';
import { readJSON } from './transport.js';

// Statuses whose Response may not have a body (Fetch standard).
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

export class BackgroundFetchRecord {
  #transport;
  #uid;
  #data;
  #request;
  #ready;

  constructor(key, transport, uid, data) {
    if (key !== INTERNAL) throw new TypeError('Illegal constructor');
    this.#transport = transport;
    this.#uid = uid;
    this.#data = data;
    this.#request = toRequest(data.request);
  }

  /** The request, as a Request (its upload body is not kept). */
  get request() {
    return this.#request;
  }

  /**
   * responseReady resolves to a Response once the request has completed;
   * its status and headers are the stored response's, its body streams
   * from bgfetch. Rejects with AbortError (aborted), TypeError (failed
   * without a response) or InvalidStateError (records released).
   */
  get responseReady() {
    this.#ready ??= this.#load();
    return this.#ready;
  }

  // bgfetch's extras: the record as the API shows it when it was read.

  get index() {
    return this.#data.index;
  }

  get state() {
    return this.#data.state;
  }

  get downloaded() {
    return this.#data.downloaded;
  }

  get total() {
    return this.#data.total;
  }

  get error() {
    return this.#data.error;
  }

  /** The stored response's metadata ({status, statusText, headers, size, path}) or null. */
  get response() {
    return this.#data.response ?? null;
  }

  toJSON() {
    return this.#data;
  }

  async #load() {
    const base = `/v1/registrations/${encodeURIComponent(this.#uid)}/records/${this.#data.index}`;
    const res = await this.#transport.send('GET', `${base}/body`, { headers: { Accept: '*/*' } });
    if (res.statusCode !== 200) {
      throw errorFromAnswer(res.statusCode, await readJSON(res));
    }
    const status = Number(res.headers['bgfetch-response-status']) || 200;
    let meta = this.#data.response;
    if (!meta) {
      // Read while the request was still running: the response's headers
      // are known now.
      const { records } = await this.#transport.call('GET', `/v1/registrations/${encodeURIComponent(this.#uid)}/records`);
      meta = records.find((r) => r.index === this.#data.index)?.response ?? {};
    }
    let body = null;
    if (NULL_BODY_STATUSES.has(status)) res.resume();
    else body = Readable.toWeb(res);
    const response = new Response(body, {
      status: status >= 200 && status <= 599 ? status : 200,
      statusText: meta.statusText ?? '',
      headers: toHeaders(meta.headers),
    });
    Object.defineProperty(response, 'url', { value: this.#request.url, enumerable: true });
    return response;
  }
}

function toRequest(wire) {
  const init = { method: wire.method || 'GET', headers: toHeaders(wire.headers) };
  try {
    return new Request(wire.url, init);
  } catch {
    return new Request(wire.url); // a method Request refuses (e.g. CONNECT): keep the URL
  }
}

function toHeaders(map) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(map ?? {})) {
    try {
      headers.append(name, value);
    } catch {
      // a header the Headers class refuses is left out
    }
  }
  return headers;
}
