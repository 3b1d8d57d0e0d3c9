// A real local HTTP file server for the daemon to download from:
//   /file/NAME?size=N    N deterministic bytes, strong ETag, Range honoured
//   /slow/NAME?size=N    N bytes trickled at ~20 KiB/s (any method): a transfer that stays running
//   /missing/NAME        404 with a small text body
//   /upload              POST: reads the body, answers how many bytes came
import http from 'node:http';

/** content is the deterministic body of /file/NAME?size=N. */
export function content(size) {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

export const missingBody = 'no such file here\n';

export async function startFileServer() {
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const size = Number(url.searchParams.get('size') ?? 1024);
    if (url.pathname.startsWith('/file/')) return serveFile(req, res, url, size);
    if (url.pathname.startsWith('/slow/')) return serveSlow(req, res, size);
    if (url.pathname.startsWith('/missing/')) {
      res.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(missingBody) });
      return res.end(missingBody);
    }
    if (url.pathname === '/upload' && req.method === 'POST') {
      let n = 0;
      req.on('data', (c) => (n += c.length));
      req.on('end', () => res.end(`stored ${n}\n`));
      return;
    }
    res.writeHead(404).end();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    url: (p) => base + p,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}

function serveFile(req, res, url, size) {
  const body = content(size);
  const headers = {
    'Content-Type': url.searchParams.get('type') || 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    ETag: `"${size}-${url.pathname}"`,
    'Last-Modified': 'Mon, 01 Jan 2024 00:00:00 GMT',
  };
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range || '');
  if (m && (!req.headers['if-range'] || req.headers['if-range'] === headers.ETag)) {
    const first = Number(m[1]);
    const last = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (first >= size || first > last) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` });
      return res.end();
    }
    res.writeHead(206, { ...headers, 'Content-Range': `bytes ${first}-${last}/${size}`, 'Content-Length': last - first + 1 });
    return res.end(req.method === 'HEAD' ? undefined : body.subarray(first, last + 1));
  }
  res.writeHead(200, { ...headers, 'Content-Length': size });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function serveSlow(req, res, size) {
  req.resume();
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size });
  const body = content(size);
  let sent = 0;
  const timer = setInterval(() => {
    const n = Math.min(2048, size - sent);
    res.write(body.subarray(sent, sent + n));
    sent += n;
    if (sent >= size) {
      clearInterval(timer);
      res.end();
    }
  }, 100);
  res.on('close', () => clearInterval(timer));
}
