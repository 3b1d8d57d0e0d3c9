// Transfer control, history and settings (api.md, second round): the
// per-fetch options, PATCH and retry of a registration, the history list
// and the daemon's settings. Tests of PENDING entries are skipped by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctx, call, create, slow, settled, until, reg, needs } from './helpers.js';
import { Daemon, sleep } from '../lib/daemon.js';

const app = 'openapi.transfer';
const unknown = reg('r_cccccccccccccccccccccccccccccccc');
const options = ['FetchInput.priority', 'FetchInput.maxBytesPerSecond', 'FetchInput.connections', 'FetchInput.metered'];
const outputs = ['Registration.priority', 'Registration.maxBytesPerSecond', 'Registration.connections', 'Registration.metered',
  'Registration.speed', 'Registration.waitReason', 'Registration.retryOf'];

export function register() {
  test('createFetch: the new fields of a registration have their defaults', needs(...outputs), async () => {
    const r = await create(app, { id: 'defaults', requests: ctx.files.url('/file/defaults?size=10') });
    assert.equal(r.priority, 'normal');
    assert.equal(r.maxBytesPerSecond, 0);
    assert.equal(r.connections, 0);
    assert.equal(r.metered, 'allow');
    assert.equal(r.waitReason, '');
    assert.equal(r.retryOf, '');
    assert.equal(typeof r.speed, 'number');
  });

  test('createFetch: priority, maxBytesPerSecond, connections and metered are taken', needs(...options, ...outputs), async (t) => {
    const r = await slow(t, app, 'options', { priority: 'high', maxBytesPerSecond: 100000, connections: 2, metered: 'wait' });
    assert.equal(r.priority, 'high');
    assert.equal(r.maxBytesPerSecond, 100000);
    assert.equal(r.connections, 2);
    assert.equal(r.metered, 'wait');
    const moving = await until(app, r.uid, (x) => x.speed > 0, 'a speed above 0 while running', 10_000);
    assert.equal(moving.state, 'running');
  });

  test('createFetch: 400 TypeError for a bad option', needs(...options), async (t) => {
    const u = ctx.files.url('/file/o?size=1');
    for (const [field, value] of [['priority', 'urgent'], ['maxBytesPerSecond', -1], ['connections', 17], ['metered', 'sometimes']]) {
      await t.test(`${field}: ${JSON.stringify(value)}`, async () => {
        const body = { id: `bad-${field}`, requests: u, [field]: value };
        const res = await call('createFetch', 'POST', '/v1/fetches', { app, body, status: 400 });
        assert.match(res.json.error.message, new RegExp(field));
        ctx.spec.inputInvalid('createFetch', body);
      });
    }
  });

  test('updateRegistration: 200 with the new values; 400 naming a bad field, and nothing changes', needs('updateRegistration', ...outputs), async (t) => {
    const r = await slow(t, app, 'patched');
    const patch = { priority: 'low', maxBytesPerSecond: 50000, connections: 1, metered: 'wait' };
    const res = await call('updateRegistration', 'PATCH', reg(r.uid), { app, body: patch, status: 200 });
    ctx.spec.inputValid('updateRegistration', patch);
    for (const [k, v] of Object.entries(patch)) assert.equal(res.json[k], v, k);
    for (const [field, value] of [['priority', 'top'], ['connections', 99], ['maxBytesPerSecond', 'fast'], ['colour', 'red']]) {
      const body = { priority: 'high', [field]: value };
      const bad = await call('updateRegistration', 'PATCH', reg(r.uid), { app, body, status: 400 });
      assert.equal(bad.json.error.name, 'TypeError');
      assert.match(bad.json.error.message, new RegExp(field));
      ctx.spec.inputInvalid('updateRegistration', body);
    }
    const after = (await call('getRegistration', 'GET', reg(r.uid), { app, status: 200 })).json;
    for (const [k, v] of Object.entries(patch)) assert.equal(after[k], v, `${k} unchanged after refused patches`);
    const big = await call('updateRegistration', 'PATCH', reg(r.uid), { app, body: `{"priority": "low", "x": "${'x'.repeat(70 << 10)}"}`, status: 413 });
    assert.equal(big.json.error.name, 'TypeError');
    await call('updateRegistration', 'PATCH', `${unknown}`, { app, body: { priority: 'low' }, status: 404 });
    await call('abortRegistration', 'POST', `${reg(r.uid)}/abort`, { app, status: 200 });
    await settled(app, r.uid);
    const late = await call('updateRegistration', 'PATCH', reg(r.uid), { app, body: { priority: 'low' }, status: 409 });
    assert.equal(late.json.error.name, 'InvalidStateError');
  });

  test('retryRegistration: 201 with a new uid and retryOf; 409 when active, succeeded or its id is active again', needs('retryRegistration', ...outputs), async (t) => {
    const r = await slow(t, app, 'retried', { title: 'Retried' });
    const active = await call('retryRegistration', 'POST', `${reg(r.uid)}/retry`, { app, status: 409 });
    assert.equal(active.json.error.name, 'InvalidStateError');
    await call('abortRegistration', 'POST', `${reg(r.uid)}/abort`, { app, status: 200 });
    await settled(app, r.uid);
    const res = await call('retryRegistration', 'POST', `${reg(r.uid)}/retry`, { app, status: 201 });
    t.after(() => ctx.d.call('POST', `${reg(res.json.uid)}/abort`, { app }));
    assert.notEqual(res.json.uid, r.uid);
    assert.equal(res.json.retryOf, r.uid);
    assert.equal(res.json.id, 'retried');
    assert.equal(res.json.title, 'Retried');
    const again = await call('retryRegistration', 'POST', `${reg(r.uid)}/retry`, { app, status: 409 });
    assert.equal(again.json.error.name, 'InvalidStateError', 'its id is active again');
    const ok = await create(app, { id: 'succeeded', requests: ctx.files.url('/file/s?size=10') });
    await settled(app, ok.uid);
    await call('retryRegistration', 'POST', `${reg(ok.uid)}/retry`, { app, status: 409 });
    await call('retryRegistration', 'POST', `${unknown}/retry`, { app, status: 404 });
  });

  test('listRegistrations: the app\'s history, newest first, in pages', needs('listRegistrations'), async (t) => {
    const hist = 'openapi.history';
    const made = [];
    for (let i = 0; i < 3; i++) {
      const r = await create(hist, { id: `h${i}`, requests: ctx.files.url(`/file/h${i}?size=10`) });
      await settled(hist, r.uid);
      made.unshift(r.uid);
    }
    const running = await slow(t, hist, 'h-active');
    made.unshift(running.uid);
    const seen = [];
    let before = '';
    for (let pages = 0; pages < 10; pages++) {
      const q = `?state=all&limit=2${before ? `&before=${encodeURIComponent(before)}` : ''}`;
      const page = (await call('listRegistrations', 'GET', `/v1/registrations${q}`, { app: hist, status: 200 })).json;
      assert.ok(page.registrations.length <= 2);
      seen.push(...page.registrations.map((x) => x.uid));
      if (page.next === '') break;
      before = page.next;
    }
    assert.deepEqual(seen, made);
    const dflt = (await call('listRegistrations', 'GET', '/v1/registrations', { app: hist, status: 200 })).json;
    assert.deepEqual(dflt.registrations.map((x) => x.uid), made, 'state defaults to all');
    assert.equal(dflt.next, '');
    const active = (await call('listRegistrations', 'GET', '/v1/registrations?state=active', { app: hist, status: 200 })).json;
    assert.deepEqual(active.registrations.map((x) => x.uid), [running.uid]);
    const done = (await call('listRegistrations', 'GET', '/v1/registrations?state=settled', { app: hist, status: 200 })).json;
    assert.deepEqual(done.registrations.map((x) => x.uid), made.slice(1));
    const other = (await call('listRegistrations', 'GET', '/v1/registrations?state=all', { app: 'openapi.history-none', status: 200 })).json;
    assert.deepEqual(other, { registrations: [], next: '' });
    for (const q of ['limit=0', 'limit=1001', 'limit=ten', 'state=finished', 'before=not-a-cursor']) {
      const res = await call('listRegistrations', 'GET', `/v1/registrations?${q}`, { app: hist, status: 400 });
      assert.equal(res.json.error.name, 'TypeError', q);
    }
  });

  test('getSettings and updateSettings: the full settings; a bad value is 400 naming the field, and nothing changes', needs('getSettings', 'updateSettings'), async () => {
    const first = (await call('getSettings', 'GET', '/v1/settings', { status: 200 })).json;
    const patch = {
      maxBytesPerSecond: 0,
      connectionsPerFile: 2,
      schedule: [{ days: ['mon', 'tue'], from: '22:00', to: '06:00', maxBytesPerSecond: 500000, paused: false }],
      metered: 'wait',
      proxy: 'none',
      notifications: false,
      keepHistoryDays: 7,
    };
    const res = await call('updateSettings', 'PATCH', '/v1/settings', { body: patch, status: 200 });
    ctx.spec.inputValid('updateSettings', patch);
    assert.deepEqual(res.json, { ...first, ...patch });
    for (const [field, value] of [['metered', 'sometimes'], ['proxy', 'ftp://127.0.0.1:21'], ['maxBytesPerSecond', -1], ['connectionsPerFile', 17],
      ['schedule', [{ days: ['someday'], from: '9', to: '17:00', maxBytesPerSecond: 0, paused: false }]], ['keepHistoryDays', 'forever'],
      ['keepHistoryDays', 0], ['maxConnections', 0], ['maxConnections', 257], ['notifications', 'yes'], ['colour', 'red']]) {
      const bad = await call('updateSettings', 'PATCH', '/v1/settings', { body: { [field]: value }, status: 400 });
      assert.equal(bad.json.error.name, 'TypeError');
      assert.match(bad.json.error.message, new RegExp(field), field);
      ctx.spec.inputInvalid('updateSettings', { [field]: value });
    }
    const big = await call('updateSettings', 'PATCH', '/v1/settings', { body: { proxy: `http://127.0.0.1:1/${'p'.repeat(70 << 10)}` }, status: 413 });
    assert.equal(big.json.error.name, 'TypeError');
    assert.deepEqual((await call('getSettings', 'GET', '/v1/settings', { status: 200 })).json, res.json);
    await call('updateSettings', 'PATCH', '/v1/settings', { body: first, status: 200 });
  });

  test('updateSettings: the settings survive a restart', needs('getSettings', 'updateSettings'), async (t) => {
    const d = await Daemon.start();
    t.after(() => d.stop());
    const res = await d.call('PATCH', '/v1/settings', { body: { keepHistoryDays: 3, proxy: 'socks5h://127.0.0.1:1080' } });
    ctx.spec.check('updateSettings', res, 200);
    await d.restart();
    const got = await d.call('GET', '/v1/settings');
    ctx.spec.check('getSettings', got, 200);
    assert.equal(got.json.keepHistoryDays, 3);
    assert.equal(got.json.proxy, 'socks5h://127.0.0.1:1080');
  });

  test('a paused schedule window holds a fetch in waiting-network with waitReason schedule', needs('updateSettings', 'Registration.waitReason'), async (t) => {
    const d = await Daemon.start();
    t.after(() => d.stop());
    const allDay = { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '00:00', to: '00:00', maxBytesPerSecond: 0, paused: true };
    ctx.spec.check('updateSettings', await d.call('PATCH', '/v1/settings', { body: { schedule: [allDay] } }), 200);
    const r = await d.call('POST', '/v1/fetches', { body: { id: 'held', requests: ctx.files.url('/file/held?size=10') } });
    ctx.spec.check('createFetch', r, 201);
    for (const deadline = Date.now() + 10_000; ; await sleep(50)) {
      const got = await d.call('GET', `/v1/registrations/${r.json.uid}`);
      ctx.spec.check('getRegistration', got, 200);
      if (got.json.waitReason === 'schedule') {
        assert.equal(got.json.state, 'waiting-network');
        break;
      }
      assert.ok(Date.now() < deadline, `not held by the schedule: ${got.text}`);
    }
  });
}
