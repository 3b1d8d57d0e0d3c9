// fetch(), getIds() and get(id): POST/GET /v1/fetches and GET /v1/fetches/{id}.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ctx, call, create, slow, settled, until, reg, b64 } from './helpers.js';
import { content } from '../lib/fileserver.js';

const app = 'openapi.fetches';
const ids = async (a = app) => (await call('listFetchIds', 'GET', '/v1/fetches', { app: a, status: 200 })).json.ids;

export function register() {
  test('getStatus: 200 names the version and the request\'s app', async () => {
    const res = await call('getStatus', 'GET', '/v1/status', { app, status: 200 });
    assert.equal(res.json.app, app);
    assert.match(res.json.version, /^\d+\.\d+\.\d+/);
    const dflt = await call('getStatus', 'GET', '/v1/status', { status: 200 });
    assert.equal(dflt.json.app, 'default');
  });

  test('createFetch: 201 for one URL string, which then succeeds', async () => {
    const r = await create(app, { id: 'one', requests: ctx.files.url('/file/one.bin?size=1000') });
    assert.equal(r.id, 'one');
    assert.equal(r.app, app);
    assert.equal(r.result, '');
    assert.equal(r.allGet, true);
    assert.deepEqual(r.icons, []);
    const done = await settled(app, r.uid);
    assert.equal(done.result, 'success');
    assert.equal(done.downloaded, 1000);
    // Once settled, the id can be used again: a new registration.
    const again = await create(app, { id: 'one', requests: ctx.files.url('/file/one-again.bin?size=10') });
    assert.notEqual(again.uid, r.uid);
    await settled(app, again.uid);
  });

  test('createFetch: 201 with every field (request objects, integrity, icons, destination, handler)', async (t) => {
    const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-dest-'));
    t.after(() => fs.rmSync(dest, { recursive: true, force: true }));
    const digest = crypto.createHash('sha256').update(content(2000)).digest('base64');
    const body = {
      id: 'everything',
      requests: [
        ctx.files.url('/file/plain.bin?size=1000'),
        { url: ctx.files.url('/file/checked.bin?size=2000'), method: 'get', headers: { 'X-Test': 'yes' }, integrity: `sha256-${digest}` },
      ],
      title: 'Everything',
      icons: [{ src: ctx.files.url('/file/icon.png?size=64&type=image/png'), sizes: '64x64', type: 'image/png' }],
      downloadTotal: 3000,
      destination: dest,
      handler: { command: ['/bin/true'] },
    };
    const r = await create(app, body);
    assert.equal(r.title, 'Everything');
    assert.deepEqual(r.icons, body.icons);
    assert.equal(r.downloadTotal, 3000);
    assert.equal(r.destination, dest);
    assert.deepEqual(r.handler, { command: ['/bin/true'] });
    const done = await settled(app, r.uid);
    assert.equal(done.result, 'success', JSON.stringify(done));
    // The handler (/bin/true) handles the success event: the records are released; the moved files stay.
    await until(app, r.uid, (x) => !x.recordsAvailable, 'recordsAvailable false');
    assert.equal(fs.readdirSync(dest).length, 2);
  });

  test('createFetch: 201 for an upload (POST with a base64 body)', async () => {
    const r = await create(app, { id: 'upload', requests: [{ url: ctx.files.url('/upload'), method: 'POST', body: b64('hello') }] });
    assert.equal(r.allGet, false);
    assert.equal(r.uploadTotal, 5);
    assert.equal((await settled(app, r.uid)).result, 'success');
  });

  // [what, body, does the document's schema refuse it too?]
  const u = () => ctx.files.url('/file/x?size=10');
  const bad = [
    ['malformed JSON', () => '{"id": "m", "requests": ', false],
    ['two JSON values', () => `{"id": "two", "requests": "${u()}"} {}`, false],
    ['an unknown field', () => ({ id: 'unknown', requests: u(), colour: 'red' }), true],
    ['no id', () => ({ requests: u() }), true],
    ['an empty id', () => ({ id: '', requests: u() }), true],
    ['an id over 1 KiB', () => ({ id: 'i'.repeat(1025), requests: u() }), true],
    ['an empty request list', () => ({ id: 'empty', requests: [] }), true],
    ['requests as a number', () => ({ id: 'num', requests: 5 }), true],
    ['a title that is not a string', () => ({ id: 'title', requests: u(), title: 5 }), true],
    ['a negative downloadTotal', () => ({ id: 'neg', requests: u(), downloadTotal: -1 }), true],
    ['an ftp URL', () => ({ id: 'ftp', requests: 'ftp://127.0.0.1/x' }), true],
    ['a relative URL', () => ({ id: 'rel', requests: '/just/a/path' }), true],
    ['credentials in the URL', () => ({ id: 'cred', requests: 'http://user:pw@127.0.0.1:1/x' }), false],
    ['a blocked port (587)', () => ({ id: 'port', requests: 'http://127.0.0.1:587/x' }), false],
    ['bad base64 in a body', () => ({ id: 'b64', requests: [{ url: ctx.files.url('/upload'), method: 'POST', body: '!!not base64!!' }] }), false],
    ['a body on a GET', () => ({ id: 'getbody', requests: [{ url: u(), body: b64('x') }] }), false],
    ['a malformed integrity', () => ({ id: 'integrity', requests: [{ url: u(), integrity: 'sha256-abc' }] }), true],
    ['a handler with an empty command', () => ({ id: 'h1', requests: u(), handler: { command: [] } }), true],
    ['a handler with both command and url', () => ({ id: 'h2', requests: u(), handler: { command: ['/bin/true'], url: 'http://127.0.0.1:1/' } }), true],
    ['a webhook that is not loopback', () => ({ id: 'h3', requests: u(), handler: { url: 'http://example.com/hook' } }), false],
    ['a relative destination', () => ({ id: 'dest', requests: u(), destination: 'relative/dir' }), false],
    ['an icon with a bad URL', () => ({ id: 'icon', requests: u(), icons: [{ src: 'javascript:alert(1)' }] }), true],
  ];
  test('createFetch: 400 TypeError for bad input, and nothing is stored', async (t) => {
    const before = await ids();
    for (const [what, make, schemaRefuses] of bad) {
      await t.test(what, async () => {
        const body = make();
        const res = await call('createFetch', 'POST', '/v1/fetches', { app, body, status: 400 });
        assert.equal(res.json.error.name, 'TypeError');
        if (schemaRefuses) ctx.spec.inputInvalid('createFetch', body);
      });
    }
    assert.deepEqual(await ids(), before);
  });

  test('createFetch: 400 TypeError for a field name in the wrong case', async () => {
    for (const body of [{ id: 'case-1', requests: u(), Title: 'x' }, { ID: 'case-2', id: 'case-2', requests: u() }, { id: 'case-3', Requests: u() }]) {
      const res = await ctx.d.call('POST', '/v1/fetches', { app, body });
      if (res.status === 201) await ctx.d.call('POST', `${reg(res.json.uid)}/abort`, { app });
      ctx.spec.check('createFetch', res, 400);
      ctx.spec.inputInvalid('createFetch', body);
    }
  });

  test('putHandler: 400 TypeError for a field name in the wrong case', async () => {
    const h = await ctx.d.call('PUT', '/v1/handler', { app, body: { Command: ['/bin/true'] } });
    if (h.status === 200) await ctx.d.call('DELETE', '/v1/handler', { app });
    ctx.spec.check('putHandler', h, 400);
  });

  test('createFetch: 409 TypeError for a duplicate active id; listFetchIds and getFetch see it', async (t) => {
    const first = await slow(t, app, 'dup');
    const res = await call('createFetch', 'POST', '/v1/fetches', { app, body: { id: 'dup', requests: ctx.files.url('/file/d?size=5') }, status: 409 });
    assert.equal(res.json.error.name, 'TypeError');
    assert.ok((await ids()).includes('dup'));
    const got = await call('getFetch', 'GET', '/v1/fetches/dup', { app, status: 200 });
    assert.equal(got.json.uid, first.uid);
    // The same id in another app is another fetch.
    const other = await slow(t, 'openapi.fetches2', 'dup');
    assert.notEqual(other.uid, first.uid);
    assert.deepEqual(await ids('openapi.fetches2'), ['dup']);
  });

  test('getFetch: an id with a slash, percent-encoded', async (t) => {
    const r = await slow(t, app, 'season/1');
    const got = await call('getFetch', 'GET', `/v1/fetches/${encodeURIComponent('season/1')}`, { app, status: 200 });
    assert.equal(got.json.uid, r.uid);
  });

  test('getFetch: 404 with the JSON body null when no active fetch has the id', async () => {
    const res = await call('getFetch', 'GET', '/v1/fetches/never-was', { app, status: 404 });
    assert.equal(res.text.trim(), 'null');
    // A settled fetch is not active either.
    await call('getFetch', 'GET', '/v1/fetches/one', { app, status: 404 });
  });

  test('createFetch: 413 TypeError for a body over 64 MiB', async () => {
    const body = `{"id": "huge", "requests": "${ctx.files.url('/file/h?size=1')}", "title": "${'t'.repeat(64 << 20)}"}`;
    const res = await call('createFetch', 'POST', '/v1/fetches', { app, body, status: 413 });
    assert.equal(res.json.error.name, 'TypeError');
    assert.ok(!(await ids()).includes('huge'));
  });

  test('createFetch: 507 QuotaExceededError when downloadTotal is over the free space', async () => {
    const body = { id: 'quota', requests: ctx.files.url('/file/q?size=1'), downloadTotal: Number.MAX_SAFE_INTEGER };
    const res = await call('createFetch', 'POST', '/v1/fetches', { app, body, status: 507 });
    assert.equal(res.json.error.name, 'QuotaExceededError');
    ctx.spec.inputValid('createFetch', body); // well-formed: refused for the quota, not its shape
    assert.ok(!(await ids()).includes('quota'));
  });

  test('listFetchIds: the active ids only', async () => {
    const list = await ids();
    assert.ok(!list.includes('one'), 'a settled fetch is not listed');
    assert.ok(list.every((id) => typeof id === 'string'));
  });

  test('getRegistration: 200 for a settled one; 404 for an unknown uid and for another app\'s', async () => {
    const r = await create(app, { id: 'kept', requests: ctx.files.url('/file/kept?size=10') });
    await settled(app, r.uid);
    const got = await call('getRegistration', 'GET', reg(r.uid), { app, status: 200 });
    assert.equal(got.json.uid, r.uid);
    const unknown = await call('getRegistration', 'GET', reg('r_0123456789abcdef0123456789abcdef'), { app, status: 404 });
    assert.equal(unknown.json.error.name, 'NotFoundError');
    const foreign = await call('getRegistration', 'GET', reg(r.uid), { app: 'openapi.someone-else', status: 404 });
    assert.equal(foreign.json.error.name, 'NotFoundError');
  });
}
