// Reads a text/event-stream answer into events: {id, event, data, retry}
// (comments are dropped; a block with only an id is kept, as the daemon
// names where a stream stands that way).
export class SSEReader {
  constructor(res) {
    this.res = res;
    this.buf = '';
    this.blocks = [];
    this.waiters = [];
    this.ended = false;
    res.setEncoding('utf8');
    res.on('data', (s) => {
      this.buf += s;
      let i;
      while ((i = this.buf.indexOf('\n\n')) >= 0) {
        const block = parseBlock(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 2);
        if (block) this.blocks.push(block);
      }
      this.wake();
    });
    res.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  /** next resolves with the first unread block that satisfies pred, waiting up to ms. */
  async next(pred = () => true, ms = 15_000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.blocks.findIndex(pred);
      if (i >= 0) return this.blocks.splice(0, i + 1).pop();
      if (this.ended) throw new Error('the event stream ended');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching event within ${ms} ms`);
      await new Promise((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
}

function parseBlock(text) {
  const block = {};
  let any = false;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const j = line.indexOf(':');
    const field = j < 0 ? line : line.slice(0, j);
    const value = j < 0 ? '' : line.slice(j + 1).replace(/^ /, '');
    any = true;
    if (field === 'data') block.data = block.data === undefined ? value : `${block.data}\n${value}`;
    else block[field] = value;
  }
  return any ? block : null;
}
