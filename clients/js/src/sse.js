// SSEParser reads the text/event-stream format (the HTML standard's
// "Interpreting an event stream"): lines of field: value, an empty line
// ends an event. A bare "id: N" with no data still moves lastEventId, which
// is what the daemon's stream starts with.

export class SSEParser {
  #onEvent;
  #buffer = '';
  #data = [];
  #type = '';
  #idBuffer = '';
  #sawCR = false;
  /** The last event id seen, to send back as Last-Event-ID. */
  lastEventId = '';
  /** The reconnection time the server asked for (ms), or undefined. */
  retry = undefined;

  /** onEvent({type, data, lastEventId}) is called for every complete event with data. */
  constructor(onEvent, lastEventId = '') {
    this.#onEvent = onEvent;
    this.lastEventId = lastEventId;
    this.#idBuffer = lastEventId;
  }

  /** push takes the next chunk of decoded text. */
  push(text) {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c !== '\n' && c !== '\r') continue;
      const line = this.#buffer + text.slice(start, i);
      this.#buffer = '';
      start = i + 1;
      if (c === '\n' && this.#sawCR && line === '') {
        this.#sawCR = false; // the \n of a \r\n pair
        continue;
      }
      this.#sawCR = c === '\r';
      this.#line(line);
    }
    if (start < text.length) {
      this.#sawCR = false;
      this.#buffer += text.slice(start);
    }
  }

  #line(line) {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return; // a comment (": ping")
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.#type = value;
        break;
      case 'data':
        this.#data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.#idBuffer = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default: // unknown fields are ignored
    }
  }

  #dispatch() {
    this.lastEventId = this.#idBuffer;
    const data = this.#data;
    const type = this.#type;
    this.#data = [];
    this.#type = '';
    if (data.length === 0) return;
    this.#onEvent({ type: type || 'message', data: data.join('\n'), lastEventId: this.lastEventId });
  }
}
