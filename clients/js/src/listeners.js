// ListenerBook keeps count of the listeners an EventTarget holds for the
// types that matter to bgfetch (EventTarget itself cannot be asked). It
// follows the DOM's rules: one entry per (listener, capture), `once`
// entries go after their first dispatch, a `signal` removes its entry.

export class ListenerBook {
  #entries = new Map(); // type → [{listener, capture, once}]
  #onChange;

  constructor(onChange = () => {}) {
    this.#onChange = onChange;
  }

  add(type, listener, options) {
    if (listener == null) return;
    const { capture, once, signal } = flags(options);
    if (signal?.aborted) return;
    const list = this.#entries.get(type) ?? [];
    if (list.some((e) => e.listener === listener && e.capture === capture)) return;
    list.push({ listener, capture, once });
    this.#entries.set(type, list);
    signal?.addEventListener('abort', () => this.remove(type, listener, { capture }), { once: true });
    this.#onChange();
  }

  remove(type, listener, options) {
    const { capture } = flags(options);
    const list = this.#entries.get(type);
    if (!list) return;
    const i = list.findIndex((e) => e.listener === listener && e.capture === capture);
    if (i < 0) return;
    list.splice(i, 1);
    this.#onChange();
  }

  /** dispatched forgets the `once` listeners of type: the EventTarget just removed them. */
  dispatched(type) {
    const list = this.#entries.get(type);
    if (!list || !list.some((e) => e.once)) return;
    this.#entries.set(type, list.filter((e) => !e.once));
    this.#onChange();
  }

  count(...types) {
    let n = 0;
    for (const t of types) n += this.#entries.get(t)?.length ?? 0;
    return n;
  }
}

function flags(options) {
  if (typeof options === 'boolean') return { capture: options, once: false, signal: undefined };
  return { capture: !!options?.capture, once: !!options?.once, signal: options?.signal };
}

/**
 * defineEventHandler adds an `on<type>` attribute to a class whose
 * instances have an `addEventListener`: setting a function adds it as a
 * listener (replacing the previous one), setting null removes it.
 */
export function defineEventHandler(proto, type) {
  const slot = Symbol(`on${type}`);
  Object.defineProperty(proto, `on${type}`, {
    configurable: true,
    enumerable: true,
    get() {
      return this[slot]?.handler ?? null;
    },
    set(handler) {
      if (this[slot]) this.removeEventListener(type, this[slot].wrapper);
      this[slot] = undefined;
      if (typeof handler !== 'function') return;
      const wrapper = (event) => handler.call(this, event);
      this[slot] = { handler, wrapper };
      this.addEventListener(type, wrapper);
    },
  });
}
