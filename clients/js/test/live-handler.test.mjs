// The app's live handler (api.md "Live handlers"): events wait in bgfetch's
// outbox until a connected client listens, reach it once, count as handled
// when every waitUntil promise has settled, and are sent again to the next
// client when one dies before answering.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connect } from '../src/index.js';
import { Daemon, waitFor, sleep, deferred, nextEvent } from '../testing/daemon.mjs';
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

// settledWithoutClient starts a fetch through the raw API (no client
// connected) and waits until it has settled.
async function settledWithoutClient(app, id, paths) {
  const { status, data } = await daemon.api('POST', '/v1/fetches', { app, body: { id, requests: paths.map((p) => files.url(p)) } });
  assert.equal(status, 201, JSON.stringify(data));
  return waitFor(`${id} to settle`, async () => {
    const r = await daemon.registration(data.uid, app);
    return r.result !== '' && r;
  });
}

test('an event that settled while no client was connected reaches the next connect(), once', { timeout: 60_000 }, async (t) => {
  const body = files.add('/outbox.bin', 50_000);
  const reg = await settledWithoutClient('outbox', 'while-away', ['/outbox.bin']);
  assert.equal(reg.result, 'success');
  await sleep(300);
  assert.equal((await daemon.registration(reg.uid, 'outbox')).recordsAvailable, true, 'the event waits, records kept');

  const swReg = await connect({ app: 'outbox', dataDir: daemon.dataDir });
  t.after(() => void swReg.close());
  const got = [];
  swReg.addEventListener('backgroundfetchsuccess', (event) => {
    got.push(event);
    event.waitUntil(
      (async () => {
        const [record] = await event.registration.matchAll();
        const bytes = Buffer.from(await (await record.responseReady).arrayBuffer());
        assert.ok(bytes.equals(body), 'the body is still there for the late handler');
      })(),
    );
  });
  await waitFor('the event to be handled', () => swReg.stats.handled === 1);
  assert.equal(got.length, 1);
  assert.equal(got[0].registration.uid, reg.uid);
  assert.equal(got[0].registration.id, 'while-away');
  assert.equal(got[0].registration.result, 'success');
  assert.equal(typeof got[0].eventId, 'string');
  await waitFor('the records released', async () => !(await daemon.registration(reg.uid, 'outbox')).recordsAvailable);
  swReg.close();

  // Handled means gone: the next client gets nothing.
  const next = await connect({ app: 'outbox', dataDir: daemon.dataDir });
  t.after(() => void next.close());
  next.addEventListener('backgroundfetchsuccess', () => assert.fail('delivered twice'));
  await waitFor('the next stream to open', () => next.stats.streamsOpened === 1);
  await sleep(1000);
  assert.equal(next.stats.received, 0);
  next.close();
});

test('the live handler stream opens only once someone listens, never at connect', { timeout: 60_000 }, async (t) => {
  files.add('/lazy.bin', 1000);
  const reg = await settledWithoutClient('lazy', 'lazy', ['/lazy.bin']);
  const swReg = await connect({ app: 'lazy', dataDir: daemon.dataDir });
  t.after(() => void swReg.close());
  await sleep(500);
  assert.equal(swReg.stats.streamMode, null);
  assert.equal((await daemon.registration(reg.uid, 'lazy')).recordsAvailable, true, 'connect() alone acknowledged nothing');

  // Listeners added together all see the first event; it is handled when
  // the slower waitUntil has settled too.
  const slow = deferred();
  const calls = [];
  const first = (e) => {
    calls.push('first');
    e.waitUntil(Promise.resolve());
  };
  swReg.addEventListener('backgroundfetchsuccess', first);
  swReg.onbackgroundfetchsuccess = (e) => {
    calls.push('second');
    e.waitUntil(slow.promise);
  };
  await waitFor('both listeners', () => calls.length === 2);
  assert.deepEqual(calls, ['first', 'second']);
  await sleep(400);
  assert.equal(swReg.stats.handled, 0, 'not handled while a waitUntil promise is pending');
  assert.equal((await daemon.registration(reg.uid, 'lazy')).recordsAvailable, true);
  slow.reject(new Error('a rejected waitUntil promise still settles the event'));
  await waitFor('handled', () => swReg.stats.handled === 1);
  await waitFor('released', async () => !(await daemon.registration(reg.uid, 'lazy')).recordsAvailable);

  // Without listeners the process stops being the app's handler.
  swReg.onbackgroundfetchsuccess = null;
  await sleep(100);
  assert.equal(swReg.stats.streamMode, 'handle', 'one listener is left');
  swReg.removeEventListener('backgroundfetchsuccess', first);
  await waitFor('the handler stream to close', () => swReg.stats.streamMode === null);
  swReg.close();
});

test('click and success events of one fetch arrive in order; updateUI is for success and fail only', { timeout: 60_000 }, async (t) => {
  files.add('/ordered.bin', 1 << 20, { bytesPerSecond: 1 << 20 });
  const swReg = await connect({ app: 'ordered', baseURL: files.base, dataDir: daemon.dataDir });
  t.after(() => void swReg.close());
  try {
    const order = [];
    const clickUpdate = deferred();
    swReg.addEventListener('backgroundfetchclick', (e) => {
      order.push(e.type);
      clickUpdate.resolve(typeof e.updateUI);
    });
    const success = nextEvent(swReg, 'backgroundfetchsuccess', 20_000);
    swReg.addEventListener('backgroundfetchsuccess', (e) => order.push(e.type));
    const reg = await swReg.backgroundFetch.fetch('ordered', '/ordered.bin');
    const clicked = await daemon.api('POST', `/v1/registrations/${reg.uid}/click`, { app: 'ordered' });
    assert.equal(clicked.status, 200);
    await success;
    assert.deepEqual(order, ['backgroundfetchclick', 'backgroundfetchsuccess']);
    assert.equal(await clickUpdate.promise, 'undefined', 'a click event is a BackgroundFetchEvent');
  } finally {
    swReg.close();
  }
});

test('a client killed between receiving an event and "handled": the next client gets it again', { timeout: 60_000 }, async (t) => {
  files.add('/crash.bin', 20_000);
  const reg = await settledWithoutClient('crash', 'crash', ['/crash.bin']);
  const child = spawn(process.execPath, [fileURLToPath(new URL('../testing/handler-child.mjs', import.meta.url)), daemon.dataDir, 'crash'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal)));
  t.after(() => child.kill('SIGKILL')); // if the test fails before it does
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      const msg = JSON.parse(line);
      if (msg.type) resolve(msg);
    });
    child.once('exit', () => reject(new Error('the child exited before it got the event')));
  });
  assert.equal(first.type, 'backgroundfetchsuccess');
  assert.equal(first.uid, reg.uid);
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  assert.equal((await daemon.registration(reg.uid, 'crash')).recordsAvailable, true, 'not handled by the dead client');

  const swReg = await connect({ app: 'crash', dataDir: daemon.dataDir });
  t.after(() => void swReg.close());
  try {
    const event = await nextEvent(swReg, 'backgroundfetchsuccess', 20_000);
    assert.equal(event.eventId, first.eventId, 'the same event, again');
    assert.equal(event.registration.uid, reg.uid);
    await waitFor('handled', () => swReg.stats.handled === 1);
    await waitFor('released', async () => !(await daemon.registration(reg.uid, 'crash')).recordsAvailable);
  } finally {
    swReg.close();
  }
});
