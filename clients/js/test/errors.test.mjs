// The web's errors (spec B.9, B.10, B.12, B.13, C.7): TypeError or a
// DOMException with the spec's name, and a rejected call changes nothing.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, BackgroundFetchEvent, BackgroundFetchUpdateUIEvent } from '../src/index.js';
import { Daemon, waitFor } from '../testing/daemon.mjs';
import { FileServer } from '../testing/fileserver.mjs';

let daemon;
let files;
let swReg;

before(async () => {
  daemon = await Daemon.start();
  files = await FileServer.start();
  files.add('/a.bin', 1000);
  files.add('/slow.bin', 8 << 20, { bytesPerSecond: 1 << 20 });
  swReg = await connect({ app: 'errors', baseURL: files.base, dataDir: daemon.dataDir });
});

after(async () => {
  swReg?.close();
  await files?.close();
  await daemon?.stop();
});

const isDOMException = (name) => (err) => {
  assert.ok(err instanceof DOMException, `${err?.constructor?.name}: ${err?.message}`);
  assert.equal(err.name, name);
  assert.ok(err.message.length > 0);
  return true;
};
const isTypeError = (err) => {
  assert.ok(err instanceof TypeError, `${err?.constructor?.name}: ${err?.message}`);
  assert.ok(err.message.length > 0);
  return true;
};

test('a duplicate active id is a TypeError and stores nothing', async () => {
  const first = await swReg.backgroundFetch.fetch('dup', '/slow.bin');
  await assert.rejects(swReg.backgroundFetch.fetch('dup', '/a.bin'), isTypeError);
  assert.deepEqual(await swReg.backgroundFetch.getIds(), ['dup']);
  const records = await first.matchAll();
  assert.deepEqual(records.map((r) => r.request.url), [files.url('/slow.bin')], 'the first fetch is unchanged');
  assert.equal(await first.abort(), true);
  await waitFor('dup to settle', () => first.result === 'failure');
});

test('bad URLs are TypeErrors and store nothing', async () => {
  const bad = [
    'ftp://example.com/file', // scheme
    'http://user:secret@127.0.0.1/x', // credentials
    'http://127.0.0.1:587/mail', // a bad port
    'http://[::1', // malformed
  ];
  for (const url of bad) {
    await assert.rejects(swReg.backgroundFetch.fetch(`bad-${url}`, [url]), isTypeError, url);
  }
  await assert.rejects(swReg.backgroundFetch.fetch('empty', []), isTypeError, 'an empty list');
  await assert.rejects(swReg.backgroundFetch.fetch('', '/a.bin'), isTypeError, 'an empty id');
  await assert.rejects(swReg.backgroundFetch.fetch('x'.repeat(1025), '/a.bin'), isTypeError, 'an id over 1 KiB');
  assert.deepEqual(await swReg.backgroundFetch.getIds(), []);
});

test('a relative URL without baseURL is a TypeError', async () => {
  const noBase = await connect({ app: 'errors', dataDir: daemon.dataDir });
  try {
    await assert.rejects(noBase.backgroundFetch.fetch('relative', ['/a.bin']), (err) => isTypeError(err) && /baseURL/.test(err.message));
    assert.deepEqual(await noBase.backgroundFetch.getIds(), []);
  } finally {
    noBase.close();
  }
});

test('downloadTotal larger than the free space is a QuotaExceededError', async () => {
  await assert.rejects(
    swReg.backgroundFetch.fetch('huge', '/a.bin', { downloadTotal: Number.MAX_SAFE_INTEGER }),
    isDOMException('QuotaExceededError'),
  );
  assert.deepEqual(await swReg.backgroundFetch.getIds(), []);
});

test('matchAll() and match() after the records are released are InvalidStateErrors', async () => {
  const reg = await swReg.backgroundFetch.fetch('released', '/a.bin');
  await waitFor('released to settle', () => reg.result === 'success');
  const [record] = await reg.matchAll();
  await reg.release();
  assert.equal(reg.recordsAvailable, false);
  await assert.rejects(reg.matchAll(), isDOMException('InvalidStateError'));
  await assert.rejects(reg.match('/a.bin'), isDOMException('InvalidStateError'));
  await assert.rejects(record.responseReady, isDOMException('InvalidStateError'));
});

test('get() of an unknown id is undefined, not an error', async () => {
  assert.equal(await swReg.backgroundFetch.get('no-such-fetch'), undefined);
  assert.equal(await swReg.backgroundFetch.get('with/slash and space'), undefined);
});

test('a bad app name is a TypeError from connect()', async () => {
  await assert.rejects(connect({ app: 'spaces are not allowed', dataDir: daemon.dataDir }), isTypeError);
  await assert.rejects(connect({ baseURL: 'not a url', dataDir: daemon.dataDir }), isTypeError);
});

test('waitUntil and updateUI outside an event bgfetch dispatched are InvalidStateErrors', async () => {
  const reg = await swReg.backgroundFetch.fetch('events', '/a.bin');
  const event = new BackgroundFetchEvent('backgroundfetchclick', { registration: reg });
  assert.equal(event.registration, reg);
  assert.throws(() => event.waitUntil(Promise.resolve()), isDOMException('InvalidStateError'));
  assert.throws(() => new BackgroundFetchEvent('backgroundfetchclick', {}), TypeError);
  const uiEvent = new BackgroundFetchUpdateUIEvent('backgroundfetchsuccess', { registration: reg });
  await assert.rejects(uiEvent.updateUI({ title: 'not mine' }), isDOMException('InvalidStateError'));
  await waitFor('events to settle', () => reg.result === 'success');
  await reg.release();
});
