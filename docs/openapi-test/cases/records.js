// matchAll(), match() and the stored bodies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { ctx, call, create, slow, settled, reg } from './helpers.js';
import { content, missingBody } from '../lib/fileserver.js';

const app = 'openapi.records';
const unknown = reg('r_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee');
let r; // a settled fetch: 0 text, 1 with a query, 2 a 404 (bad-status)
const body = (uid, i, headers) => call('getRecordBody', 'GET', `${reg(uid)}/records/${i}/body`, { app, headers });

export function register() {
  test('records: set-up, a fetch of three requests, one of them a 404', async () => {
    r = await create(app, {
      id: 'three',
      requests: [ctx.files.url('/file/a.txt?size=3000&type=text/plain'), ctx.files.url('/file/b.bin?size=100&x=1'), ctx.files.url('/missing/c')],
    });
    const done = await settled(app, r.uid);
    assert.equal(done.result, 'failure');
    assert.equal(done.failureReason, 'bad-status');
  });

  test('listRecords: 200 with every record, in request order', async () => {
    const { records } = (await call('listRecords', 'GET', `${reg(r.uid)}/records`, { app, status: 200 })).json;
    assert.deepEqual(records.map((x) => x.index), [0, 1, 2]);
    assert.deepEqual(records.map((x) => x.state), ['success', 'success', 'failed']);
    assert.equal(records[0].response.status, 200);
    assert.equal(records[0].response.size, 3000);
    assert.equal(records[2].response.status, 404);
  });

  test('listRecords: url, ignoreSearch, method and ignoreMethod match as the Cache API does', async () => {
    const q = (s) => call('listRecords', 'GET', `${reg(r.uid)}/records?${s}`, { app, status: 200 }).then((x) => x.json.records.map((y) => y.index));
    const other = encodeURIComponent(ctx.files.url('/file/b.bin?size=100&x=2'));
    assert.deepEqual(await q(`url=${other}`), []);
    assert.deepEqual(await q(`url=${other}&ignoreSearch=true`), [1]);
    const exact = encodeURIComponent(ctx.files.url('/file/b.bin?size=100&x=1'));
    assert.deepEqual(await q(`url=${exact}&method=POST`), []);
    assert.deepEqual(await q(`url=${exact}&method=POST&ignoreMethod=true`), [1]);
  });

  test('listRecords: 400 TypeError for a bad flag or URL; 404 for an unknown uid', async () => {
    for (const query of ['ignoreSearch=maybe', 'ignoreMethod=2x', `url=${encodeURIComponent('http://[::1')}`]) {
      const res = await call('listRecords', 'GET', `${reg(r.uid)}/records?${query}`, { app, status: 400 });
      assert.equal(res.json.error.name, 'TypeError', query);
    }
    await call('listRecords', 'GET', `${unknown}/records`, { app, status: 404 });
  });

  test('matchRecord: {"record": {...}} or {"record": null}; 400 without url; 404 for an unknown uid', async () => {
    const hit = await call('matchRecord', 'GET', `${reg(r.uid)}/match?url=${encodeURIComponent(ctx.files.url('/file/a.txt?size=3000&type=text/plain'))}`, { app, status: 200 });
    assert.equal(hit.json.record.index, 0);
    const miss = await call('matchRecord', 'GET', `${reg(r.uid)}/match?url=${encodeURIComponent(ctx.files.url('/file/nothing'))}`, { app, status: 200 });
    assert.equal(miss.json.record, null);
    const noUrl = await call('matchRecord', 'GET', `${reg(r.uid)}/match`, { app, status: 400 });
    assert.equal(noUrl.json.error.name, 'TypeError');
    await call('matchRecord', 'GET', `${unknown}/match?url=x`, { app, status: 404 });
  });

  test('getRecordBody: 200 with the bytes, the stored Content-Type and Bgfetch-Response-Status', async () => {
    const res = await body(r.uid, 0);
    ctx.spec.check('getRecordBody', res, 200);
    assert.ok(res.body.equals(content(3000)), 'the body is the served bytes');
    assert.match(res.headers['content-type'], /^text\/plain/);
    assert.equal(res.headers['bgfetch-response-status'], '200');
  });

  test('getRecordBody: 206 for a Range, 416 for one past the end', async () => {
    const part = await body(r.uid, 0, { Range: 'bytes=1000-' });
    ctx.spec.check('getRecordBody', part, 206);
    assert.equal(part.headers['content-range'], 'bytes 1000-2999/3000');
    assert.ok(part.body.equals(content(3000).subarray(1000)));
    const past = await body(r.uid, 0, { Range: 'bytes=5000-' });
    ctx.spec.check('getRecordBody', past, 416);
  });

  test('getRecordBody: a stored 404 is served with 200 and Bgfetch-Response-Status: 404', async () => {
    const res = await body(r.uid, 2);
    ctx.spec.check('getRecordBody', res, 200);
    assert.equal(res.headers['bgfetch-response-status'], '404');
    assert.equal(res.text, missingBody);
  });

  test('getRecordBody: 400 for a bad index, 404 for one past the records or an unknown uid', async () => {
    ctx.spec.check('getRecordBody', await body(r.uid, 'first'), 400);
    ctx.spec.check('getRecordBody', await body(r.uid, -1), 400);
    ctx.spec.check('getRecordBody', await body(r.uid, 3), 404);
    ctx.spec.check('getRecordBody', await call('getRecordBody', 'GET', `${unknown}/records/0/body`, { app }), 404);
  });

  test('getRecordBody: waits for a record still transferring (responseReady)', async () => {
    const w = await create(app, { id: 'wait', requests: ctx.files.url('/slow/wait?size=16384') });
    const res = await body(w.uid, 0);
    ctx.spec.check('getRecordBody', res, 200);
    assert.ok(res.body.equals(content(16384)));
  });

  test('getRecordBody: 400 TypeError when the response failed its integrity check', async () => {
    const f = await create(app, { id: 'bad-digest', requests: [{ url: ctx.files.url('/file/d?size=500'), integrity: `sha256-${'A'.repeat(43)}=` }] });
    const done = await settled(app, f.uid);
    assert.equal(done.result, 'failure');
    const res = await body(f.uid, 0);
    ctx.spec.check('getRecordBody', res, 400);
    assert.equal(res.json.error.name, 'TypeError');
  });

  test('getRecordBody: 409 AbortError for an aborted transfer', async (t) => {
    const a = await slow(t, app, 'aborted-body');
    await call('abortRegistration', 'POST', `${reg(a.uid)}/abort`, { app, status: 200 });
    await settled(app, a.uid);
    const res = await body(a.uid, 0);
    ctx.spec.check('getRecordBody', res, 409);
    assert.equal(res.json.error.name, 'AbortError');
  });

  test('released records: listRecords, matchRecord and getRecordBody are 409 InvalidStateError', async () => {
    const { records } = (await call('listRecords', 'GET', `${reg(r.uid)}/records`, { app, status: 200 })).json;
    assert.ok(fs.existsSync(records[0].response.path), 'the body lies where response.path says');
    await call('releaseRegistration', 'POST', `${reg(r.uid)}/release`, { app, status: 200 });
    assert.ok(!fs.existsSync(records[0].response.path), 'release deletes the bodies kept in the data dir');
    const url = encodeURIComponent(ctx.files.url('/file/a.txt?size=3000&type=text/plain'));
    for (const [op, p] of [['listRecords', 'records'], ['matchRecord', `match?url=${url}`], ['getRecordBody', 'records/0/body']]) {
      const res = await call(op, 'GET', `${reg(r.uid)}/${p}`, { app, status: 409 });
      assert.equal(res.json.error.name, 'InvalidStateError', op);
    }
  });
}
