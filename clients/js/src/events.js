// The service worker's events, as the app receives them:
// BackgroundFetchEvent (abort, click) and BackgroundFetchUpdateUIEvent
// (success, fail), with ExtendableEvent's waitUntil.

import { lifetime } from './internal.js';

/**
 * Lifetime is ExtendableEvent's bookkeeping: the event is active while it
 * is being dispatched or while a waitUntil promise is pending; it is done
 * when every one of them has settled.
 */
class Lifetime {
  trusted = false;
  dispatching = false;
  pending = 0;
  #promises = [];
  updateUI = undefined; // {title?, icons?} once updateUI() was called
  eventId = undefined;

  get active() {
    return this.dispatching || this.pending > 0;
  }

  extend(promise) {
    this.pending++;
    const p = Promise.resolve(promise).finally(() => queueMicrotask(() => this.pending--));
    this.#promises.push(p.catch(() => {}));
  }

  /** settled resolves when every waitUntil promise (also ones added meanwhile) has settled. */
  async settled() {
    while (this.#promises.length > 0) {
      const batch = this.#promises;
      this.#promises = [];
      await Promise.all(batch);
      await new Promise((resolve) => queueMicrotask(resolve)); // let the counters catch up
    }
  }
}

export class BackgroundFetchEvent extends Event {
  #registration;

  /** As on the web: new BackgroundFetchEvent(type, {registration}). */
  constructor(type, init) {
    if (init?.registration == null) throw new TypeError('BackgroundFetchEvent needs init.registration');
    super(type, init);
    this.#registration = init.registration;
    this[lifetime] = new Lifetime();
  }

  get registration() {
    return this.#registration;
  }

  /** bgfetch's own: the event's id in bgfetch's outbox (stable across deliveries), or undefined. */
  get eventId() {
    return this[lifetime].eventId;
  }

  /**
   * waitUntil tells bgfetch the event is not handled before promise
   * settles (ExtendableEvent). It throws InvalidStateError on an event
   * bgfetch did not dispatch, or once the event is done.
   */
  waitUntil(promise) {
    const life = this[lifetime];
    if (!life.trusted) throw new DOMException('waitUntil() on an event bgfetch did not dispatch', 'InvalidStateError');
    if (!life.active) throw new DOMException('waitUntil() after the event was handled', 'InvalidStateError');
    life.extend(promise);
  }
}

export class BackgroundFetchUpdateUIEvent extends BackgroundFetchEvent {
  /**
   * updateUI({title, icons}) changes what bgfetch's UI shows for this
   * fetch. Once per event, while it is active; bgfetch receives it with
   * the "handled" answer, when every waitUntil promise has settled.
   */
  updateUI(options = {}) {
    const life = this[lifetime];
    try {
      if (!life.trusted) throw new DOMException('updateUI() on an event bgfetch did not dispatch', 'InvalidStateError');
      if (!life.active) throw new DOMException('updateUI() after the event was handled', 'InvalidStateError');
      if (life.updateUI) throw new DOMException('updateUI() may be called once per event', 'InvalidStateError');
      if (options === null || typeof options !== 'object') throw new TypeError('updateUI() takes {title, icons}');
      const ui = {};
      if (options.title !== undefined) ui.title = String(options.title);
      if (options.icons !== undefined) ui.icons = life.resolveIcons(options.icons);
      life.updateUI = ui;
    } catch (err) {
      return Promise.reject(err);
    }
    return Promise.resolve();
  }
}
