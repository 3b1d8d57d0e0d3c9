// connect() and the object it answers: what a page gets as its service
// worker registration (backgroundFetch) and what a service worker listens
// on (the backgroundfetch* events), in one EventTarget.

import { INTERNAL, apply, streamVersion } from './internal.js';
import { resolveDataDir } from './datadir.js';
import { Transport } from './transport.js';
import { EventStream } from './eventstream.js';
import { EventHandling, SW_EVENT_TYPES } from './handling.js';
import { ListenerBook, defineEventHandler } from './listeners.js';
import { BackgroundFetchManager } from './manager.js';
import { BackgroundFetchRegistration } from './registration.js';

export class BackgroundFetchConnection extends EventTarget {
  #transport;
  #baseURL;
  #manager;
  #stream;
  #handling;
  #listeners;
  #registrations = new Map(); // uid → {weak: WeakRef, strong: registration | null}
  #gone = new FinalizationRegistry(() => this.reconsider());
  #reconsidering = null;
  #closed = false;

  constructor(key, { transport, baseURL }) {
    if (key !== INTERNAL) throw new TypeError('Illegal constructor');
    super();
    this.#transport = transport;
    this.#baseURL = baseURL;
    this.#manager = new BackgroundFetchManager(INTERNAL, this);
    this.#handling = new EventHandling(this);
    this.#listeners = new ListenerBook(() => this.reconsider());
    this.#stream = new EventStream(transport, {
      onEvent: (ev, mode) => this.#onStreamEvent(ev, mode),
      onOpen: () => this.#refreshActive(),
    });
  }

  /** The BackgroundFetchManager (swReg.backgroundFetch on the web). */
  get backgroundFetch() {
    return this.#manager;
  }

  get app() {
    return this.#transport.app;
  }

  get baseURL() {
    return this.#baseURL;
  }

  get dataDir() {
    return this.#transport.dataDir;
  }

  /** The HTTP layer (package-internal). */
  get transport() {
    return this.#transport;
  }

  /**
   * Diagnostics: how often the event stream was opened, and the live
   * handler's counts of events received, dispatched, skipped as
   * duplicates and answered as handled.
   */
  get stats() {
    return { streamsOpened: this.#stream.opened, streamMode: this.#stream.mode, ...this.#handling.stats };
  }

  addEventListener(type, listener, options) {
    super.addEventListener(type, listener, options);
    if (SW_EVENT_TYPES.includes(type)) this.#listeners.add(type, listener, options);
  }

  removeEventListener(type, listener, options) {
    super.removeEventListener(type, listener, options);
    if (SW_EVENT_TYPES.includes(type)) this.#listeners.remove(type, listener, options);
  }

  /**
   * close() stops listening: no more events reach this process (they wait
   * in bgfetch for the next one); fetches go on. Events being handled
   * still get their "handled" answer when their waitUntil promises
   * settle; the promise close() returns resolves then.
   */
  close() {
    if (!this.#closed) {
      this.#closed = true;
      this.#stream.close();
    }
    return this.#handling.close();
  }

  /**
   * registrationFor answers the one registration object of data.uid,
   * made current with data (unless data may be older than the object:
   * stale).
   */
  registrationFor(data, { stale = false } = {}) {
    const entry = this.#registrations.get(data.uid);
    let reg = entry?.weak.deref();
    if (reg) {
      if (!stale) reg[apply](data);
      return reg;
    }
    reg = new BackgroundFetchRegistration(INTERNAL, this, data);
    this.#registrations.set(data.uid, { weak: new WeakRef(reg), strong: null });
    this.#gone.register(reg, data.uid);
    this.reconsider();
    return reg;
  }

  /** listenersDispatched: the EventTarget removed type's `once` listeners. */
  listenersDispatched(type) {
    this.#listeners.dispatched(type);
  }

  /**
   * reconsider chooses the event stream, on the next turn of the event
   * loop (so that listeners added together are all in place before the
   * first event): the live handler stream while anyone listens for the
   * service worker's events, else a plain stream while an active
   * registration object exists, else none.
   */
  reconsider() {
    if (this.#reconsidering || this.#closed) return;
    this.#reconsidering = setImmediate(() => {
      this.#reconsidering = null;
      if (this.#closed) return;
      const handling = this.#listeners.count(...SW_EVENT_TYPES) > 0;
      let active = false;
      let watched = false;
      for (const [uid, entry] of this.#registrations) {
        const reg = entry.weak.deref();
        if (!reg) {
          this.#registrations.delete(uid);
          continue;
        }
        const isActive = reg.result === '';
        const isWatched = isActive && reg.hasProgressListeners;
        entry.strong = isWatched ? reg : null; // a watched fetch lives until it settles
        active ||= isActive;
        watched ||= isWatched;
      }
      this.#stream.setMode(handling ? 'handle' : active ? 'plain' : null);
      this.#stream.setKeepAlive(handling || watched);
    });
  }

  #onStreamEvent({ type: sseType, data }, mode) {
    const uid = data?.registration?.uid;
    if (!uid) return;
    const type = data.type ?? sseType;
    // A click's snapshot is from when it was clicked, maybe long ago.
    if (type !== 'backgroundfetchclick') {
      this.#registrations.get(uid)?.weak.deref()?.[apply](data.registration, { fromStream: true });
    }
    if (mode === 'handle' && data.eventId && SW_EVENT_TYPES.includes(type)) {
      this.#handling.receive({ ...data, type });
    }
  }

  // #refreshActive reads the active registrations again when a stream
  // opens: progress from before it opened would otherwise be missed. A
  // stream event that arrives meanwhile is newer and wins.
  #refreshActive() {
    for (const entry of this.#registrations.values()) {
      const reg = entry.weak.deref();
      if (!reg || reg.result !== '') continue;
      const seen = reg[streamVersion];
      this.#transport
        .call('GET', `/v1/registrations/${encodeURIComponent(reg.uid)}`)
        .then((data) => {
          if (reg[streamVersion] === seen) reg[apply](data);
        })
        .catch(() => {});
    }
  }
}

for (const type of SW_EVENT_TYPES) defineEventHandler(BackgroundFetchConnection.prototype, type);

/**
 * connect({app, baseURL, dataDir}) finds the running bgfetch daemon and
 * answers the object a web page would get as its service worker
 * registration. Rejects with NotRunningError when no daemon answers.
 */
export async function connect({ app = 'default', baseURL, dataDir } = {}) {
  let base;
  if (baseURL !== undefined) {
    try {
      base = new URL(String(baseURL)).href;
    } catch {
      throw new TypeError(`baseURL ${JSON.stringify(String(baseURL))} is not an absolute URL`);
    }
  }
  const transport = new Transport({ dataDir: resolveDataDir(dataDir), app: String(app) });
  try {
    await transport.call('GET', '/v1/status');
  } catch (err) {
    transport.close();
    throw err;
  }
  return new BackgroundFetchConnection(INTERNAL, { transport, baseURL: base });
}
