// Test support: a real HTTP file server (node:http on 127.0.0.1) serving
// real bytes, optionally slowly, with Range support, recording uploads.

import http from 'node:http';
import { randomBytes } from 'node:crypto';

/**
 * FileServer serves files added with add(path, bytes, options):
 *   status (default 200), headers, bytesPerSecond (0: as fast as it can),
 *   chunk (bytes per write when slow, default 64 KiB).
 * Requests with a body (POST, PUT) are kept in `uploads` and answered
 * with the file at that path (or "got N bytes").
 */
export class FileServer {
  files = new Map();
  uploads = [];
  hits = new Map(); // path → number of requests

  static async start() {
    const s = new FileServer();
    s.server = http.createServer((req, res) => s.#serve(req, res));
    s.sockets = new Set();
    s.server.on('connection', (c) => {
      s.sockets.add(c);
      c.on('close', () => s.sockets.delete(c));
    });
    await new Promise((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.base = `http://127.0.0.1:${s.server.address().port}/`;
    return s;
  }

  /** add serves bytes (a Buffer, or a size for random bytes) at path; answers the bytes. */
  add(path, bytes, options = {}) {
    const body = typeof bytes === 'number' ? randomBytes(bytes) : Buffer.from(bytes);
    this.files.set(path, { body, status: 200, headers: {}, bytesPerSecond: 0, chunk: 64 << 10, ...options });
    return body;
  }

  url(path) {
    return new URL(path, this.base).href;
  }

  async close() {
    for (const c of this.sockets) c.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  async #serve(req, res) {
    const path = req.url.split('?')[0];
    this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
    if (req.method === 'POST' || req.method === 'PUT') {
      const parts = [];
      for await (const c of req) parts.push(c);
      const body = Buffer.concat(parts);
      this.uploads.push({ path, method: req.method, headers: req.headers, body });
      if (!this.files.has(path)) {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(`got ${body.length} bytes`);
        return;
      }
    }
    const file = this.files.get(path);
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    let { body } = file;
    let status = file.status;
    const headers = {
      'Content-Type': 'application/octet-stream',
      'Accept-Ranges': 'bytes',
      ETag: '"v1"',
      ...file.headers,
    };
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range && status === 200) {
      const from = Number(range[1]);
      const to = range[2] ? Number(range[2]) : body.length - 1;
      if (from >= body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` });
        res.end();
        return;
      }
      headers['Content-Range'] = `bytes ${from}-${to}/${body.length}`;
      body = body.subarray(from, to + 1);
      status = 206;
    }
    headers['Content-Length'] = body.length;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') return res.end();
    if (!file.bytesPerSecond) return res.end(body);
    const interval = Math.max(5, Math.round((file.chunk / file.bytesPerSecond) * 1000));
    for (let i = 0; i < body.length && !res.destroyed; i += file.chunk) {
      if (!res.write(body.subarray(i, i + file.chunk))) {
        await new Promise((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
    res.end();
  }
}
