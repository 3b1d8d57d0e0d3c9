// Progress: the registration's fields kept current from the daemon's
// progress events, onprogress and addEventListener('progress') (spec A.8,
// C.14), and the time from connect() to the first progress event.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../src/index.js';
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

test('progress events keep downloaded current, through onprogress and listeners', async () => {
  const body = files.add('/slow.bin', 2 << 20, { bytesPerSecond: 2 << 20 });
  const swReg = await connect({ app: 'progress', baseURL: files.base, dataDir: daemon.dataDir });
  try {
    const reg = await swReg.backgroundFetch.fetch('slow', '/slow.bin', { title: 'slow' });
    assert.equal(reg.downloaded, 0);
    assert.equal(reg.state === 'queued' || reg.state === 'running', true, reg.state);
    const seen = [];
    const viaProperty = [];
    reg.addEventListener('progress', (e) => {
      assert.equal(e.type, 'progress');
      assert.equal(e.target, reg);
      seen.push({ downloaded: reg.downloaded, result: reg.result });
    });
    reg.onprogress = () => viaProperty.push(reg.downloaded);
    assert.equal(typeof reg.onprogress, 'function');

    await waitFor('the fetch to settle', () => reg.result !== '', 20_000);
    assert.equal(reg.result, 'success');
    assert.equal(reg.downloaded, body.length);
    assert.equal(reg.state, 'settled');
    assert.ok(seen.length >= 3, `${seen.length} progress events`);
    assert.deepEqual(viaProperty, seen.map((s) => s.downloaded));
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].downloaded >= seen[i - 1].downloaded);
    assert.ok(seen.some((s) => s.downloaded > 0 && s.downloaded < body.length), 'a progress event mid-transfer');
    assert.equal(seen.at(-1).result, 'success', 'the last progress event carries the settled result');
  } finally {
    swReg.close();
  }
});

test('removed progress listeners are not called; a fetch finished before anyone listened is current anyway', async () => {
  const small = files.add('/small.bin', 10_000);
  files.add('/slow2.bin', 1 << 20, { bytesPerSecond: 1 << 20 });
  const swReg = await connect({ app: 'progress', baseURL: files.base, dataDir: daemon.dataDir });
  try {
    const quick = await swReg.backgroundFetch.fetch('quick', '/small.bin');
    await waitFor('quick to settle', () => quick.result === 'success');
    assert.equal(quick.downloaded, small.length);

    const reg = await swReg.backgroundFetch.fetch('slow2', '/slow2.bin');
    let calls = 0;
    const listener = () => calls++;
    reg.addEventListener('progress', listener);
    await nextEvent(reg, 'progress');
    reg.removeEventListener('progress', listener);
    const at = calls;
    await waitFor('slow2 to settle', () => reg.result !== '', 20_000);
    assert.equal(calls, at, 'no calls after removeEventListener');
    assert.equal(reg.downloaded, 1 << 20);
  } finally {
    swReg.close();
  }
});

test('time from connect() to the first progress event (median of 5)', async () => {
  files.add('/latency.bin', 4 << 20, { bytesPerSecond: 4 << 20 });
  const runs = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const swReg = await connect({ app: 'latency', baseURL: files.base, dataDir: daemon.dataDir });
    const connected = performance.now();
    const reg = await swReg.backgroundFetch.fetch(`latency-${i}`, '/latency.bin');
    const fetched = performance.now();
    await nextEvent(reg, 'progress');
    const progressed = performance.now();
    runs.push({ total: progressed - start, connect: connected - start, fetch: fetched - connected });
    assert.ok(reg.downloaded > 0);
    assert.equal(await reg.abort(), true);
    await waitFor('the abort to settle', () => reg.result === 'failure');
    swReg.close();
  }
  const median = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[2];
  const all = runs.map((r) => r.total.toFixed(1)).sort((a, b) => a - b);
  console.log(
    `connect() → first progress event: median ${median('total').toFixed(1)} ms of 5 (${all.join(', ')}); ` +
      `of which connect() ${median('connect').toFixed(1)} ms, fetch() ${median('fetch').toFixed(1)} ms (medians)`,
  );
  assert.ok(median('total') < 5000, `median ${median('total')} ms`);
});
