// abort() and the abort event (spec A.5, C.17), a fail with bad-status
// whose 404 stays readable (spec C.16).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, BackgroundFetchEvent, BackgroundFetchUpdateUIEvent } from '../src/index.js';
import { Daemon, waitFor, nextEvent } from '../testing/daemon.mjs';
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

test('abort() mid-transfer: true then false, backgroundfetchabort, finished records stay readable', async () => {
  files.add('/done.txt', 'finished before the abort');
  files.add('/endless.bin', 64 << 20, { bytesPerSecond: 256 << 10 });
  const swReg = await connect({ app: 'abort', baseURL: files.base, dataDir: daemon.dataDir });
  try {
    const abortEvent = nextEvent(swReg, 'backgroundfetchabort', 20_000);
    const reg = await swReg.backgroundFetch.fetch('to-abort', ['/done.txt', '/endless.bin']);
    await waitFor('some bytes of the endless file', async () => {
      const recs = await reg.matchAll();
      return recs[0].state === 'success' && recs[1].downloaded > 0;
    });
    assert.equal(await reg.abort(), true);
    assert.equal(await reg.abort(), false);

    const event = await abortEvent;
    assert.ok(event instanceof BackgroundFetchEvent);
    assert.ok(!(event instanceof BackgroundFetchUpdateUIEvent), 'an abort event has no updateUI');
    assert.equal(event.registration, reg);
    assert.equal(reg.result, 'failure');
    assert.equal(reg.failureReason, 'aborted');
    assert.equal(await reg.abort(), false, 'false once settled');
    assert.deepEqual(await swReg.backgroundFetch.getIds(), []);
    // The event is being handled (this listener did not extend it), so
    // the records may already be gone; the daemon releases them soon.
    await waitFor('the records released after the abort event', async () => !(await daemon.registration(reg.uid, 'abort')).recordsAvailable);
  } finally {
    swReg.close();
  }
});

test('abort(): a finished record reads, an unfinished one rejects with AbortError', async () => {
  const done = files.add('/done2.txt', 'finished before the abort, read while the event is handled');
  files.add('/endless2.bin', 64 << 20, { bytesPerSecond: 256 << 10 });
  const swReg = await connect({ app: 'abort2', baseURL: files.base, dataDir: daemon.dataDir });
  try {
    const outcome = new Promise((resolve, reject) => {
      swReg.addEventListener('backgroundfetchabort', (event) => {
        event.waitUntil(
          (async () => {
            const [finished, unfinished] = await event.registration.matchAll();
            const text = await (await finished.responseReady).text();
            const error = await unfinished.responseReady.then(() => null, (err) => err);
            return { text, error, states: [finished.state, unfinished.state] };
          })().then(resolve, reject),
        );
      });
    });
    const reg = await swReg.backgroundFetch.fetch('to-abort-2', ['/done2.txt', '/endless2.bin']);
    await waitFor('the first record', async () => (await reg.matchAll())[0].state === 'success');
    assert.equal(await reg.abort(), true);
    const { text, error, states } = await outcome;
    assert.equal(text, done.toString());
    assert.deepEqual(states, ['success', 'aborted']);
    assert.ok(error instanceof DOMException, `${error}`);
    assert.equal(error.name, 'AbortError');
  } finally {
    swReg.close();
  }
});

test('a 404 fails the fetch with bad-status and its body stays readable', async () => {
  files.add('/gone.mp3', 'this episode was removed', { status: 404, headers: { 'Content-Type': 'text/plain' } });
  files.add('/fine.jpg', 5000);
  const swReg = await connect({ app: 'fail', baseURL: files.base, dataDir: daemon.dataDir });
  try {
    const result = new Promise((resolve, reject) => {
      swReg.onbackgroundfetchfail = (event) => {
        assert.ok(event instanceof BackgroundFetchUpdateUIEvent);
        event.waitUntil(
          (async () => {
            const record = await event.registration.match('/gone.mp3');
            const response = await record.responseReady;
            const body = await response.text();
            await event.updateUI({ title: 'Episode 5 could not be downloaded' });
            return { reason: event.registration.failureReason, result: event.registration.result, status: response.status, ok: response.ok, body, uid: event.registration.uid };
          })().then(resolve, reject),
        );
      };
    });
    await swReg.backgroundFetch.fetch('will-fail', ['/fine.jpg', '/gone.mp3'], { title: 'Episode 5' });
    const r = await result;
    assert.equal(r.result, 'failure');
    assert.equal(r.reason, 'bad-status');
    assert.equal(r.status, 404);
    assert.equal(r.ok, false);
    assert.equal(r.body, 'this episode was removed');
    await waitFor('the fail updateUI', async () => (await daemon.registration(r.uid, 'fail')).title === 'Episode 5 could not be downloaded');
  } finally {
    swReg.close();
  }
});
