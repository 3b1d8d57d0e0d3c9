// The live handler's stream across a daemon crash: the client reconnects
// (with backoff, Last-Event-ID, to the new port from the endpoint file),
// the event it was still handling arrives again and is not dispatched a
// second time, and its "handled" answer reaches the new daemon.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../src/index.js';
import { Daemon, waitFor, deferred } from '../testing/daemon.mjs';
import { FileServer } from '../testing/fileserver.mjs';

let daemon;
let files;

before(async () => {
  daemon = await Daemon.start({ listen: 'tcp:127.0.0.1:0' });
  files = await FileServer.start();
});

after(async () => {
  await files?.close();
  await daemon?.stop();
});

test('SIGKILL of the daemon mid-stream: reconnect, no second dispatch, handled once', { timeout: 90_000 }, async () => {
  const one = files.add('/one.bin', 30_000);
  files.add('/two.bin', 30_000);
  const swReg = await connect({ app: 'reconnect', baseURL: files.base, dataDir: daemon.dataDir });
  try {
    const release = deferred();
    const seen = [];
    swReg.addEventListener('backgroundfetchsuccess', (event) => {
      seen.push(event.registration.id);
      if (event.registration.id !== 'first') return;
      event.waitUntil(
        (async () => {
          await release.promise;
          // The registration object still reads its records, now from the new daemon.
          const [record] = await event.registration.matchAll();
          const bytes = Buffer.from(await (await record.responseReady).arrayBuffer());
          assert.ok(bytes.equals(one));
          await event.updateUI({ title: 'first, handled across a crash' });
        })(),
      );
    });
    const first = await swReg.backgroundFetch.fetch('first', '/one.bin');
    await waitFor('the first success event', () => seen.length === 1);
    assert.equal(swReg.stats.streamsOpened, 1);

    const oldEndpoint = daemon.endpoint;
    await daemon.kill('SIGKILL');
    await daemon.restart();
    assert.notEqual(daemon.endpoint, oldEndpoint, 'the daemon came back on another port');

    await waitFor('the stream to reconnect', () => swReg.stats.streamsOpened >= 2, 30_000);
    await waitFor('the unhandled event to arrive again', () => swReg.stats.duplicates >= 1, 30_000);
    assert.deepEqual(seen, ['first'], 'not dispatched twice');
    assert.equal(swReg.stats.handled, 0);
    assert.equal((await daemon.registration(first.uid, 'reconnect')).recordsAvailable, true);

    release.resolve();
    await waitFor('first handled', () => swReg.stats.handled === 1);
    const reg = await waitFor('the new daemon to have the answer', async () => {
      const r = await daemon.registration(first.uid, 'reconnect');
      return !r.recordsAvailable && r;
    });
    assert.equal(reg.title, 'first, handled across a crash');

    // The stream is live again: a new fetch's event reaches the same listener.
    await swReg.backgroundFetch.fetch('second', '/two.bin');
    await waitFor('the second success event', () => seen.length === 2);
    assert.deepEqual(seen, ['first', 'second']);
    await waitFor('second handled', () => swReg.stats.handled === 2);
    assert.equal(swReg.stats.dispatched, 2);
  } finally {
    swReg.close();
  }
});
