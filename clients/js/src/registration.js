// BackgroundFetchRegistration: one background fetch, its fields kept
// current from the daemon's progress events, and its records.

import { INTERNAL, apply, streamVersion } from './internal.js';
import { ListenerBook, defineEventHandler } from './listeners.js';
import { matchQuery } from './requests.js';
import { BackgroundFetchRecord } from './record.js';

// The fields whose change is a progress event (spec A.8).
const PROGRESS_FIELDS = ['downloaded', 'uploaded', 'result', 'failureReason'];

export class BackgroundFetchRegistration extends EventTarget {
  #conn;
  #data;
  #listeners;
  /** Counts snapshots applied from the event stream (see Connection's refresh). */
  [streamVersion] = 0;

  constructor(key, conn, data) {
    if (key !== INTERNAL) throw new TypeError('Illegal constructor');
    super();
    this.#conn = conn;
    this.#data = { ...data };
    this.#listeners = new ListenerBook(() => conn.reconsider());
  }

  // The web's fields.
  get id() { return this.#data.id; }
  get uploadTotal() { return this.#data.uploadTotal; }
  get uploaded() { return this.#data.uploaded; }
  get downloadTotal() { return this.#data.downloadTotal; }
  get downloaded() { return this.#data.downloaded; }
  get result() { return this.#data.result; }
  get failureReason() { return this.#data.failureReason; }
  get recordsAvailable() { return this.#data.recordsAvailable; }

  // bgfetch's own fields (api.md's registration object).
  get uid() { return this.#data.uid; }
  get app() { return this.#data.app; }
  get title() { return this.#data.title; }
  get icons() { return this.#data.icons ?? []; }
  get state() { return this.#data.state; }
  get createdAt() { return this.#data.createdAt; }
  get settledAt() { return this.#data.settledAt ?? null; }
  get knownTotal() { return this.#data.knownTotal; }
  get destination() { return this.#data.destination; }
  get priority() { return this.#data.priority; }
  get maxBytesPerSecond() { return this.#data.maxBytesPerSecond; }
  get connections() { return this.#data.connections; }
  get metered() { return this.#data.metered; }
  get speed() { return this.#data.speed; }
  get waitReason() { return this.#data.waitReason; }
  get retryOf() { return this.#data.retryOf; }

  /** The registration object as the API last sent it. */
  toJSON() {
    return { ...this.#data };
  }

  /** abort() resolves true when this call aborted the fetch, false when it was already settled or aborted. */
  async abort() {
    const { aborted } = await this.#conn.transport.call('POST', `${this.#path()}/abort`);
    return aborted;
  }

  /** match(request, options) resolves to the first matching record, or undefined. */
  async match(request, options) {
    if (request === undefined) throw new TypeError('match() needs a request or URL');
    const q = matchQuery(request, options, this.#conn.baseURL);
    const { record } = await this.#conn.transport.call('GET', `${this.#path()}/match${q}`);
    return record ? this.#record(record) : undefined;
  }

  /** matchAll(request?, options?) resolves to the matching records (all of them without a request). */
  async matchAll(request, options) {
    const q = matchQuery(request, options, this.#conn.baseURL);
    const { records } = await this.#conn.transport.call('GET', `${this.#path()}/records${q}`);
    return records.map((r) => this.#record(r));
  }

  // bgfetch's own controls.

  /** pause() holds the transfers (only when every request is a GET). */
  async pause() {
    this[apply](await this.#conn.transport.call('POST', `${this.#path()}/pause`));
  }

  async resume() {
    this[apply](await this.#conn.transport.call('POST', `${this.#path()}/resume`));
  }

  /** release() gives the records up (a settled fetch whose events nobody handles). */
  async release() {
    this[apply](await this.#conn.transport.call('POST', `${this.#path()}/release`));
  }

  /** refresh() reads the registration again (also once settled). */
  async refresh() {
    this[apply](await this.#conn.transport.call('GET', this.#path()));
    return this;
  }

  addEventListener(type, listener, options) {
    super.addEventListener(type, listener, options);
    if (type === 'progress') this.#listeners.add(type, listener, options);
  }

  removeEventListener(type, listener, options) {
    super.removeEventListener(type, listener, options);
    if (type === 'progress') this.#listeners.remove(type, listener, options);
  }

  /** hasProgressListeners tells the connection whether to keep the process alive for this fetch. */
  get hasProgressListeners() {
    return this.#listeners.count('progress') > 0;
  }

  /**
   * [apply](data) takes a newer registration object from the daemon; a
   * change of downloaded, uploaded, result or failureReason fires
   * "progress".
   */
  [apply](data, { fromStream = false } = {}) {
    if (!data || data.uid !== this.#data.uid) return;
    if (this.#data.result !== '' && data.result === '') return; // older than what we have: a fetch never un-settles
    if (fromStream) this[streamVersion]++;
    const changed = PROGRESS_FIELDS.some((f) => data[f] !== this.#data[f]);
    this.#data = { ...this.#data, ...data };
    if (changed) {
      this.dispatchEvent(new Event('progress'));
      this.#listeners.dispatched('progress');
    }
    this.#conn.reconsider();
  }

  #path() {
    return `/v1/registrations/${encodeURIComponent(this.#data.uid)}`;
  }

  #record(data) {
    return new BackgroundFetchRecord(INTERNAL, this.#conn.transport, this.#data.uid, data);
  }
}

defineEventHandler(BackgroundFetchRegistration.prototype, 'progress');
