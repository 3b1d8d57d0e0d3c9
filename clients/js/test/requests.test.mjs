// What fetch() accepts: relative URLs against baseURL, URL and Request
// objects, a Request with a body as an upload (spec A.1, C.20), and
// match()/matchAll() with the Cache API's options (spec C.18).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../src/index.js';
import { Daemon, waitFor } from '../testing/daemon.mjs';
import { FileServer } from '../testing/fileserver.mjs';

let daemon;
let files;
let swReg;

before(async () => {
  daemon = await Daemon.start();
  files = await FileServer.start();
  swReg = await connect({ app: 'requests', baseURL: files.url('/shows/podcast/'), dataDir: daemon.dataDir });
});

after(async () => {
  swReg?.close();
  await files?.close();
  await daemon?.stop();
});

test('relative URLs resolve against baseURL; URL and Request objects are taken as they are', async () => {
  const bodies = {
    '/root.txt': files.add('/root.txt', 'root'),
    '/shows/podcast/ep-1.mp3': files.add('/shows/podcast/ep-1.mp3', 3000),
    '/shows/cover.jpg': files.add('/shows/cover.jpg', 2000),
    '/abs.bin': files.add('/abs.bin', 1000),
    '/req.bin': files.add('/req.bin', 500),
  };
  const reg = await swReg.backgroundFetch.fetch('relative', [
    '/root.txt',
    'ep-1.mp3',
    '../cover.jpg',
    new URL(files.url('/abs.bin')),
    new Request(files.url('/req.bin')),
  ]);
  await waitFor('relative to settle', () => reg.result !== '');
  assert.equal(reg.result, 'success', reg.failureReason);
  const records = await reg.matchAll();
  assert.deepEqual(records.map((r) => r.request.url), Object.keys(bodies).map((p) => files.url(p)));
  for (const r of records) {
    const path = new URL(r.request.url).pathname;
    const got = Buffer.from(await (await r.responseReady).arrayBuffer());
    assert.ok(got.equals(bodies[path]), path);
  }
  await reg.release();
});

test('a Request with a body is an upload: method, headers and exact bytes reach the server', async () => {
  const upload = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7) % 256));
  files.add('/upload', 'stored, thank you', { headers: { 'Content-Type': 'text/plain' } });
  const request = new Request(files.url('/upload'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream', 'X-Episode': '5' },
    body: upload,
  });
  const reg = await swReg.backgroundFetch.fetch('upload', [request]);
  assert.equal(reg.uploadTotal, upload.length);
  assert.equal(request.bodyUsed, false, 'the caller keeps its Request');
  await waitFor('upload to settle', () => reg.result !== '');
  assert.equal(reg.result, 'success', reg.failureReason);
  assert.equal(reg.uploaded, upload.length);

  const received = files.uploads.filter((u) => u.path === '/upload');
  assert.equal(received.length, 1);
  assert.equal(received[0].method, 'POST');
  assert.equal(received[0].headers['x-episode'], '5');
  assert.equal(received[0].headers['content-type'], 'application/octet-stream');
  assert.ok(received[0].body.equals(upload), 'the uploaded bytes are exact');

  const [record] = await reg.matchAll();
  assert.equal(record.request.method, 'POST');
  assert.equal(record.request.headers.get('x-episode'), '5');
  const response = await record.responseReady;
  assert.equal(response.status, 200);
  assert.equal(await response.text(), 'stored, thank you');
  await reg.release();
});

test('match() and matchAll() follow the Cache API: ignoreSearch, ignoreMethod, Request arguments', async () => {
  files.add('/m/a.mp3', 100);
  files.add('/m/b.mp3', 200);
  files.add('/m/post', 'posted');
  const reg = await swReg.backgroundFetch.fetch('matching', [
    files.url('/m/a.mp3?v=1'),
    files.url('/m/b.mp3'),
    new Request(files.url('/m/post'), { method: 'POST', body: 'x' }),
  ]);
  await waitFor('matching to settle', () => reg.result !== '');
  assert.equal(reg.result, 'success', reg.failureReason);

  assert.equal(await reg.match(files.url('/m/a.mp3')), undefined, 'the query string counts by default');
  const a = await reg.match(files.url('/m/a.mp3'), { ignoreSearch: true });
  assert.equal(a.request.url, files.url('/m/a.mp3?v=1'));
  assert.equal((await a.responseReady).status, 200);
  assert.equal((await reg.match(new Request(files.url('/m/b.mp3')))).request.url, files.url('/m/b.mp3'));
  assert.equal((await reg.matchAll()).length, 3);
  assert.equal((await reg.matchAll(files.url('/m/b.mp3'))).length, 1);
  assert.equal((await reg.matchAll(files.url('/m/post'))).length, 0, 'a GET does not match the POST');
  assert.equal((await reg.matchAll(files.url('/m/post'), { ignoreMethod: true })).length, 1);
  assert.equal((await reg.matchAll(new Request(files.url('/m/post'), { method: 'POST' }))).length, 0, 'Cache API: a non-GET request matches nothing without ignoreMethod');
  await reg.release();
});
