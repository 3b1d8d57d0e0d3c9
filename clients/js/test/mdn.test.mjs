// The MDN page's example (seeds/background-fetch-api.mdn.txt), unchanged,
// with swReg from connect(): fetch, progress, success, matchAll, bodies,
// updateUI (spec A.1, A.4, A.6, A.7, C.14, C.15, C.21).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../src/index.js';
import { Daemon, waitFor } from '../testing/daemon.mjs';
import { FileServer } from '../testing/fileserver.mjs';

let daemon;
let files;

before(async () => {
  daemon = await Daemon.start();
  files = await FileServer.start();
});

after(async () => {
  await files?.close();
  await daemon?.stop();
});

test('the MDN example runs unchanged and its fetch succeeds end to end', async () => {
  const episode = files.add('/ep-5.mp3', 3 << 20, { bytesPerSecond: 2 << 20, headers: { 'Content-Type': 'audio/mpeg' } });
  const artwork = files.add('/ep-5-artwork.jpg', 150_000, { headers: { 'Content-Type': 'image/jpeg' } });
  files.add('/ep-5-icon.png', 2000, { headers: { 'Content-Type': 'image/png' } });

  // Where a page has its service worker registration.
  const navigator = {
    serviceWorker: { ready: connect({ app: 'com.example.podcasts', baseURL: files.base, dataDir: daemon.dataDir }) },
  };

  // ---- the MDN example, verbatim ----
  navigator.serviceWorker.ready.then(async (swReg) => {
    const bgFetch = await swReg.backgroundFetch.fetch('my-fetch', ['/ep-5.mp3', 'ep-5-artwork.jpg'], {
      title: 'Episode 5: Interesting things.',
      icons: [{
        sizes: '300x300',
        src: '/ep-5-icon.png',
        type: 'image/png',
      }],
      downloadTotal: 60 * 1024 * 1024,
    });
  });
  // ---- end of the example ----

  const swReg = await navigator.serviceWorker.ready;
  try {
    let handled;
    const success = new Promise((resolve) => {
      swReg.addEventListener('backgroundfetchsuccess', (event) => {
        event.waitUntil(
          (handled = (async () => {
            const records = await event.registration.matchAll();
            const responses = await Promise.all(records.map((r) => r.responseReady));
            const bodies = await Promise.all(responses.map(async (r) => Buffer.from(await r.arrayBuffer())));
            await event.updateUI({ title: 'Episode 5 ready to listen!' });
            resolve({ event, records, responses, bodies });
          })()),
        );
      });
    });

    const bgFetch = await waitFor('my-fetch to be registered', () => swReg.backgroundFetch.get('my-fetch'));
    assert.deepEqual(await swReg.backgroundFetch.getIds(), ['my-fetch']);
    assert.equal(bgFetch.id, 'my-fetch');
    assert.equal(bgFetch.title, 'Episode 5: Interesting things.');
    assert.equal(bgFetch.downloadTotal, 60 * 1024 * 1024);
    assert.deepEqual(bgFetch.icons, [{ src: files.url('/ep-5-icon.png'), sizes: '300x300', type: 'image/png' }]);
    assert.equal(bgFetch.uploadTotal, 0);
    assert.equal(bgFetch.result, '');
    assert.equal(bgFetch.recordsAvailable, true);

    const progress = [];
    bgFetch.addEventListener('progress', () => progress.push(bgFetch.downloaded));

    const { event, records, responses, bodies } = await success;
    await handled;
    assert.equal(event.registration, bgFetch, 'the event carries the same registration object');
    assert.equal(event.registration.result, 'success');
    assert.equal(event.registration.failureReason, '');

    assert.deepEqual(records.map((r) => r.request.url), [files.url('/ep-5.mp3'), files.url('/ep-5-artwork.jpg')]);
    assert.ok(records.every((r) => r.request instanceof Request && r.request.method === 'GET'));
    assert.ok(responses.every((r) => r instanceof Response && r.status === 200 && r.ok));
    assert.equal(responses[0].headers.get('content-type'), 'audio/mpeg');
    assert.equal(responses[1].headers.get('content-type'), 'image/jpeg');
    assert.equal(responses[0].url, files.url('/ep-5.mp3'));
    assert.ok(bodies[0].equals(episode), 'the episode body is byte-exact');
    assert.ok(bodies[1].equals(artwork), 'the artwork body is byte-exact');

    assert.ok(progress.length >= 2, `progress fired ${progress.length} times`);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i] >= progress[i - 1], 'downloaded only grows');
    assert.equal(bgFetch.downloaded, episode.length + artwork.length);

    // Handled: bgfetch shows the new title and releases the records.
    const reg = await waitFor('updateUI and release', async () => {
      const r = await daemon.registration(bgFetch.uid, 'com.example.podcasts');
      return r.title === 'Episode 5 ready to listen!' && !r.recordsAvailable && r;
    });
    assert.equal(reg.result, 'success');
    await waitFor('recordsAvailable false on the object', () => bgFetch.recordsAvailable === false);
    await assert.rejects(bgFetch.matchAll(), (err) => err instanceof DOMException && err.name === 'InvalidStateError');
    assert.deepEqual(await swReg.backgroundFetch.getIds(), []);
    assert.equal(await swReg.backgroundFetch.get('my-fetch'), undefined);
    assert.equal(swReg.stats.dispatched, 1);
    assert.equal(swReg.stats.handled, 1);
  } finally {
    swReg.close();
  }
});
