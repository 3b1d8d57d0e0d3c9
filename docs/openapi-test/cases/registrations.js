// abort, pause, resume, release and click of /v1/registrations/{uid}.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctx, call, create, slow, settled, until, reg, b64 } from './helpers.js';

const app = 'openapi.registrations';
const unknown = reg('r_ffffffffffffffffffffffffffffffff');

export function register() {
  test('abortRegistration: true the first time, false afterwards; the fetch settles as aborted', async (t) => {
    const r = await slow(t, app, 'to-abort');
    const first = await call('abortRegistration', 'POST', `${reg(r.uid)}/abort`, { app, status: 200 });
    assert.deepEqual(first.json, { aborted: true });
    const done = await settled(app, r.uid);
    assert.equal(done.result, 'failure');
    assert.equal(done.failureReason, 'aborted');
    const again = await call('abortRegistration', 'POST', `${reg(r.uid)}/abort`, { app, status: 200 });
    assert.deepEqual(again.json, { aborted: false });
    await call('abortRegistration', 'POST', `${unknown}/abort`, { app, status: 404 });
  });

  test('pauseRegistration and resumeRegistration: 200 with the registration', async (t) => {
    const r = await slow(t, app, 'to-pause');
    await until(app, r.uid, (x) => x.state === 'running' && x.downloaded > 0, 'running');
    const paused = await call('pauseRegistration', 'POST', `${reg(r.uid)}/pause`, { app, status: 200 });
    assert.equal(paused.json.state, 'paused');
    const resumed = await call('resumeRegistration', 'POST', `${reg(r.uid)}/resume`, { app, status: 200 });
    assert.notEqual(resumed.json.state, 'paused');
    assert.notEqual(resumed.json.state, 'settled');
  });

  test('pauseRegistration: 409 InvalidStateError when a request is not GET', async (t) => {
    const r = await create(app, { id: 'post-slow', requests: [{ url: ctx.files.url('/slow/post?size=4000000'), method: 'POST', body: b64('x') }] });
    t.after(() => ctx.d.call('POST', `${reg(r.uid)}/abort`, { app }));
    const res = await call('pauseRegistration', 'POST', `${reg(r.uid)}/pause`, { app, status: 409 });
    assert.equal(res.json.error.name, 'InvalidStateError');
    assert.notEqual((await call('getRegistration', 'GET', reg(r.uid), { app, status: 200 })).json.state, 'paused');
  });

  test('pause, resume and release: 409 InvalidStateError / 200 by state; 404 for an unknown uid', async (t) => {
    const r = await slow(t, app, 'to-settle');
    const active = await call('releaseRegistration', 'POST', `${reg(r.uid)}/release`, { app, status: 409 });
    assert.equal(active.json.error.name, 'InvalidStateError');
    await call('abortRegistration', 'POST', `${reg(r.uid)}/abort`, { app, status: 200 });
    await settled(app, r.uid);
    for (const action of ['pause', 'resume']) {
      const res = await call(`${action}Registration`, 'POST', `${reg(r.uid)}/${action}`, { app, status: 409 });
      assert.equal(res.json.error.name, 'InvalidStateError');
      await call(`${action}Registration`, 'POST', `${unknown}/${action}`, { app, status: 404 });
    }
    const released = await call('releaseRegistration', 'POST', `${reg(r.uid)}/release`, { app, status: 200 });
    assert.equal(released.json.recordsAvailable, false);
    const twice = await call('releaseRegistration', 'POST', `${reg(r.uid)}/release`, { app, status: 200 });
    assert.equal(twice.json.recordsAvailable, false);
    await call('releaseRegistration', 'POST', `${unknown}/release`, { app, status: 404 });
    await call('releaseRegistration', 'POST', `${reg(r.uid)}/release`, { app: 'openapi.not-mine', status: 404 });
  });

  test('clickRegistration: 200 with the registration, active or settled; 404 for an unknown uid', async () => {
    const r = await create(app, { id: 'to-click', requests: ctx.files.url('/file/click?size=10') });
    await settled(app, r.uid);
    const res = await call('clickRegistration', 'POST', `${reg(r.uid)}/click`, { app, status: 200 });
    assert.equal(res.json.uid, r.uid);
    await call('clickRegistration', 'POST', `${unknown}/click`, { app, status: 404 });
  });
}
