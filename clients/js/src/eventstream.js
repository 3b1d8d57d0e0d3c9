// EventStream: the connection's one GET /v1/events, reconnected with
// backoff and Last-Event-ID. Its mode says which stream: "handle"
// (?handle=true: this process is the app's live handler) or "plain"
// (progress of the fetches this process looks at); null: none.

import { SSEParser } from './sse.js';
import { readJSON } from './transport.js';
import { errorFromAnswer } from './errors.js';

const FIRST_DELAY = 200; // ms; doubles per failed attempt
const MAX_DELAY = 5000;
// The daemon sends ": ping" every 15 s; a stream silent for longer than
// this is taken for dead.
const IDLE_TIMEOUT = 45_000;

export class EventStream {
  #transport;
  #onEvent;
  #onOpen;
  #onError;
  #mode = null;
  #keepAlive = false;
  #generation = 0;
  #abort = null;
  #socket = null;
  #timer = null;
  #lastEventId = ''; // of the current mode's stream
  /** Counters for diagnostics and tests. */
  opened = 0;

  /**
   * onEvent({type, data: parsed JSON, lastEventId}, mode); onOpen(mode)
   * when a stream is answered; onError(err) for a failed attempt.
   */
  constructor(transport, { onEvent, onOpen = () => {}, onError = () => {} }) {
    this.#transport = transport;
    this.#onEvent = onEvent;
    this.#onOpen = onOpen;
    this.#onError = onError;
  }

  get mode() {
    return this.#mode;
  }

  /** setMode switches streams; a new mode starts without Last-Event-ID. */
  setMode(mode) {
    if (mode === this.#mode) return;
    this.#stop();
    this.#mode = mode;
    this.#lastEventId = '';
    if (mode) this.#run(this.#generation);
  }

  /**
   * setKeepAlive: whether the stream keeps the Node process alive (it
   * does while the app listens for events; a stream that only keeps
   * registrations current does not).
   */
  setKeepAlive(keep) {
    this.#keepAlive = keep;
    this.#applyRef();
  }

  close() {
    this.setMode(null);
  }

  #stop() {
    this.#generation++;
    this.#abort?.abort();
    this.#abort = null;
    this.#socket?.destroy();
    this.#socket = null;
    clearTimeout(this.#timer);
    this.#timer = null;
  }

  #applyRef() {
    const method = this.#keepAlive ? 'ref' : 'unref';
    this.#socket?.[method]();
    this.#timer?.[method]();
  }

  async #run(generation) {
    let delay = FIRST_DELAY;
    const current = () => generation === this.#generation;
    while (current()) {
      const mode = this.#mode;
      try {
        await this.#attempt(mode, current);
        delay = FIRST_DELAY; // it was open: the next try is quick
      } catch (err) {
        if (!current()) return;
        this.#onError(err);
      }
      if (!current()) return;
      await new Promise((resolve) => {
        this.#timer = setTimeout(resolve, delay * (0.75 + Math.random() / 2));
        this.#applyRef();
      });
      this.#timer = null;
      delay = Math.min(delay * 2, MAX_DELAY);
    }
  }

  // #attempt opens the stream and reads it until it ends. It resolves
  // when a stream that was open ended, rejects when none could be opened.
  async #attempt(mode, current) {
    this.#abort = new AbortController();
    const headers = { Accept: 'text/event-stream' };
    if (this.#lastEventId) headers['Last-Event-ID'] = this.#lastEventId;
    const path = mode === 'handle' ? '/v1/events?handle=true' : '/v1/events';
    const res = await this.#transport.send('GET', path, { headers, stream: true, signal: this.#abort.signal });
    if (!current()) {
      res.destroy();
      return;
    }
    if (res.statusCode !== 200) throw errorFromAnswer(res.statusCode, await readJSON(res));
    this.#socket = res.socket;
    this.#applyRef();
    res.socket.setTimeout(IDLE_TIMEOUT, () => res.destroy(new Error('the event stream was silent for too long')));
    this.opened++;
    const parser = new SSEParser((ev) => {
      if (!current()) return;
      this.#lastEventId = parser.lastEventId;
      let data;
      try {
        data = JSON.parse(ev.data);
      } catch {
        return; // not an event of the API
      }
      this.#onEvent({ type: ev.type, data, lastEventId: ev.lastEventId }, mode);
    }, this.#lastEventId);
    this.#onOpen(mode);
    res.setEncoding('utf8');
    try {
      for await (const chunk of res) {
        if (!current()) break;
        parser.push(chunk);
        this.#lastEventId = parser.lastEventId;
      }
    } catch (err) {
      if (current()) this.#onError(err);
    } finally {
      res.destroy();
      if (this.#socket === res.socket) this.#socket = null;
    }
  }
}
