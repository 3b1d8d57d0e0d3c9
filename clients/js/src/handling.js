// EventHandling: what a live handler does with each success, fail, abort
// or click event from GET /v1/events?handle=true. It dispatches the event
// once per eventId, waits for every waitUntil promise, then answers
// POST /v1/events/{eventId}/handled (with updateUI when it was called),
// retrying that answer until the daemon has it.

import { BackgroundFetchEvent, BackgroundFetchUpdateUIEvent } from './events.js';
import { apply, lifetime } from './internal.js';
import { wireIcons } from './requests.js';

export const SW_EVENT_TYPES = ['backgroundfetchsuccess', 'backgroundfetchfail', 'backgroundfetchabort', 'backgroundfetchclick'];
const UPDATE_UI_TYPES = new Set(['backgroundfetchsuccess', 'backgroundfetchfail']);
const RELEASING_TYPES = new Set(['backgroundfetchsuccess', 'backgroundfetchfail', 'backgroundfetchabort']);

const REMEMBER_DONE = 1000; // handled eventIds kept for de-duplication
const ACK_FIRST_DELAY = 200;
const ACK_MAX_DELAY = 5000;

export class EventHandling {
  #conn;
  #states = new Map(); // eventId → "dispatching" | "answering" | "done"
  #closed = false;
  #inFlight = new Set();
  stats = { received: 0, dispatched: 0, duplicates: 0, handled: 0 };

  constructor(conn) {
    this.#conn = conn;
  }

  /**
   * close stops retrying answers; it resolves when the events being
   * handled have settled and had their last try at "handled".
   */
  close() {
    this.#closed = true;
    return Promise.allSettled([...this.#inFlight]).then(() => {});
  }

  /** receive takes one durable event of the handle stream. */
  receive(msg) {
    const id = String(msg.eventId ?? '');
    if (!id || !SW_EVENT_TYPES.includes(msg.type)) return;
    this.stats.received++;
    const state = this.#states.get(id);
    if (state === 'dispatching' || state === 'answering') {
      // Sent again after a reconnect while this process still handles it.
      this.stats.duplicates++;
      return;
    }
    if (state === 'done') {
      // Answered before, but the daemon did not keep it: answer again.
      this.stats.duplicates++;
      this.#answer(id, msg.type, undefined).catch(() => {});
      return;
    }
    this.#states.set(id, 'dispatching');
    const handling = this.#handle(id, msg)
      .catch((err) => process.emitWarning(`bgfetch: event ${id}: ${err.message}`))
      .finally(() => this.#inFlight.delete(handling));
    this.#inFlight.add(handling);
  }

  async #handle(id, msg) {
    const conn = this.#conn;
    // A click may have waited in the outbox: its snapshot can be older
    // than the fetch is now.
    const isClick = msg.type === 'backgroundfetchclick';
    const registration = conn.registrationFor(msg.registration, { stale: isClick });
    if (isClick && registration.result === '') await registration.refresh().catch(() => {});
    const Ctor = UPDATE_UI_TYPES.has(msg.type) ? BackgroundFetchUpdateUIEvent : BackgroundFetchEvent;
    const event = new Ctor(msg.type, { registration });
    const life = event[lifetime];
    life.trusted = true;
    life.eventId = id;
    life.resolveIcons = (icons) => wireIcons(icons, conn.baseURL);
    life.dispatching = true;
    try {
      this.stats.dispatched++;
      conn.dispatchEvent(event);
    } finally {
      life.dispatching = false;
      conn.listenersDispatched(msg.type);
    }
    await life.settled();
    this.#states.set(id, 'answering');
    await this.#answer(id, msg.type, life.updateUI);
    this.#states.set(id, 'done');
    this.#forgetOld();
    this.stats.handled++;
    if (RELEASING_TYPES.has(msg.type)) {
      registration[apply]({ ...registration.toJSON(), recordsAvailable: false });
      registration.refresh().catch(() => {});
    }
  }

  // #answer posts "handled" until the daemon has it. A 404 means it has it
  // already (another process answered first), which is fine.
  async #answer(id, type, updateUI) {
    let delay = ACK_FIRST_DELAY;
    let body = updateUI && UPDATE_UI_TYPES.has(type) ? { updateUI } : undefined;
    for (;;) {
      try {
        const { status } = await this.#conn.transport.request('POST', `/v1/events/${encodeURIComponent(id)}/handled`, { body });
        if ((status >= 200 && status < 300) || status === 404) return;
        if (status === 409 && body) {
          body = undefined; // the daemon refuses this updateUI: the event is handled all the same
          continue;
        }
        if (status >= 400 && status < 500) {
          process.emitWarning(`bgfetch: the daemon refused "handled" for event ${id} (HTTP ${status})`);
          return;
        }
      } catch {
        // not running, or restarting: try again
      }
      if (this.#closed) return;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, ACK_MAX_DELAY);
    }
  }

  #forgetOld() {
    let done = 0;
    for (const s of this.#states.values()) if (s === 'done') done++;
    if (done <= REMEMBER_DONE) return;
    for (const [id, s] of this.#states) {
      if (s !== 'done') continue;
      this.#states.delete(id);
      if (--done <= REMEMBER_DONE) break;
    }
  }
}
