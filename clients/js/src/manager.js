// BackgroundFetchManager: fetch(), get() and getIds(), as on the web.

import { INTERNAL } from './internal.js';
import { fetchBody } from './requests.js';
import { errorFromAnswer } from './errors.js';

export class BackgroundFetchManager {
  #conn;

  constructor(key, conn) {
    if (key !== INTERNAL) throw new TypeError('Illegal constructor');
    this.#conn = conn;
  }

  /**
   * fetch(id, requests, options) starts a background fetch and resolves to
   * its registration. requests: a URL string, URL or Request, or a list of
   * them; options: title, icons, downloadTotal, and bgfetch's destination,
   * handler, priority, maxBytesPerSecond, connections, metered.
   */
  async fetch(id, requests, options = {}) {
    if (arguments.length < 2) throw new TypeError('fetch() needs an id and requests');
    const body = await fetchBody(id, requests, options, this.#conn.baseURL);
    const data = await this.#conn.transport.call('POST', '/v1/fetches', body);
    return this.#conn.registrationFor(data);
  }

  /** get(id) resolves to the active fetch with that id, or undefined. */
  async get(id) {
    const { status, data } = await this.#conn.transport.request('GET', `/v1/fetches/${encodeURIComponent(String(id))}`);
    if (status === 404 && data === null) return undefined; // api.md: no active fetch has that id
    if (status !== 200) {
      throw errorFromAnswer(status, data);
    }
    return this.#conn.registrationFor(data);
  }

  /** getIds() resolves to the ids of the app's active fetches. */
  async getIds() {
    const { ids } = await this.#conn.transport.call('GET', '/v1/fetches');
    return ids;
  }
}
