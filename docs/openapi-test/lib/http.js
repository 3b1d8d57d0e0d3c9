// A small HTTP client over node:http: full control of every header (Host,
// Origin, Authorization), any method, and the raw answer.
import http from 'node:http';

/**
 * request sends one request and resolves with {status, headers, body (Buffer), text, json}.
 * `json` is the parsed body when the answer says application/json, else undefined.
 * A server that answers before reading the whole body (413) is fine: the
 * answer wins over the write error that follows.
 */
export function request(base, { method = 'GET', path, headers = {}, body } = {}) {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      answered = true;
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        const answer = { status: res.statusCode, headers: res.headers, body: buf, text: buf.toString('utf8') };
        if (/^application\/json\b/.test(res.headers['content-type'] || '')) {
          try {
            answer.json = JSON.parse(answer.text);
          } catch (err) {
            reject(new Error(`${method} ${path}: the answer says JSON but is not: ${err.message}: ${answer.text.slice(0, 200)}`));
            return;
          }
        }
        resolve(answer);
      });
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    if (body !== undefined) req.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
    else req.end();
  });
}

/** openStream starts a request whose answer is read as it arrives (SSE). */
export function openStream(base, { path, headers = {} }) {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'GET', headers, agent: false }, (res) => resolve({ res, close: () => req.destroy() }));
    req.on('error', reject);
    req.end();
  });
}
