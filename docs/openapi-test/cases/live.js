// Live handlers (api.md): GET /v1/events?handle=true makes a connection the
// app's handler; POST /v1/events/{eventId}/handled acknowledges an event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctx, call, create, settled, until, needs } from './helpers.js';
import { events, nextEvent } from './events.js';

const app = 'openapi.live';
const durable = (uid) => (ev) => ev.eventId !== undefined && ev.registration.uid === uid;
const handled = (eventId, body, status) => call('markEventHandled', 'POST', `/v1/events/${eventId}/handled`, { app, body, status });

export function register() {
  test('live handler: gets the event, acknowledges it with updateUI; the records are then released', needs('streamEvents?handle', 'markEventHandled'), async (t) => {
    const reader = await events(t, { app, query: '?handle=true' });
    const r = await create(app, { id: 'live-1', requests: ctx.files.url('/file/live1?size=10') });
    const ev = await nextEvent(reader, durable(r.uid));
    assert.equal(ev.type, 'backgroundfetchsuccess');
    const body = { updateUI: { title: 'Episode ready' } };
    await handled(ev.eventId, body, 200);
    ctx.spec.inputValid('markEventHandled', body);
    const after = await until(app, r.uid, (x) => !x.recordsAvailable, 'records released after the event was handled');
    assert.equal(after.title, 'Episode ready', 'updateUI set the title');
    const twice = await handled(ev.eventId, undefined, 404);
    assert.equal(twice.json.error.name, 'NotFoundError');
    await handled('999999999', undefined, 404);
    await handled('not-a-number', undefined, 404);
    const foreign = await call('markEventHandled', 'POST', `/v1/events/${ev.eventId}/handled`, { app: 'openapi.live-other', status: 404 });
    assert.equal(foreign.json.error.name, 'NotFoundError');
  });

  test('live handler: an event waits in the outbox, records available, until a live handler connects', needs('streamEvents?handle', 'markEventHandled'), async (t) => {
    const r = await create(app, { id: 'live-2', requests: ctx.files.url('/file/live2?size=10') });
    const done = await settled(app, r.uid);
    assert.equal(done.recordsAvailable, true);
    const reader = await events(t, { app, query: '?handle=true' });
    const ev = await nextEvent(reader, durable(r.uid));
    await handled(ev.eventId, undefined, 200);
    await until(app, r.uid, (x) => !x.recordsAvailable, 'records released');
  });

  test('live handler: an event not acknowledged is sent again to the next live handler', needs('streamEvents?handle', 'markEventHandled'), async (t) => {
    const first = await events(t, { app, query: '?handle=true' });
    const r = await create(app, { id: 'live-3', requests: ctx.files.url('/file/live3?size=10') });
    const ev = await nextEvent(first, durable(r.uid));
    first.res.destroy();
    const second = await events(t, { app, query: '?handle=true' });
    const again = await nextEvent(second, durable(r.uid));
    assert.equal(again.eventId, ev.eventId);
    await handled(again.eventId, undefined, 200);
  });

  test('markEventHandled: 400 TypeError for a bad body, and the event stays unhandled', needs('streamEvents?handle', 'markEventHandled'), async (t) => {
    const reader = await events(t, { app, query: '?handle=true' });
    const r = await create(app, { id: 'live-4', requests: ctx.files.url('/file/live4?size=10') });
    const ev = await nextEvent(reader, durable(r.uid));
    for (const body of ['{"updateUI": ', { updateUI: { title: 5 } }, { colour: 'red' }, { updateUI: { icons: [{ src: 'javascript:x' }] } }]) {
      const res = await handled(ev.eventId, body, 400);
      assert.equal(res.json.error.name, 'TypeError');
      if (typeof body === 'object') ctx.spec.inputInvalid('markEventHandled', body);
    }
    const big = await handled(ev.eventId, { updateUI: { title: 't'.repeat(70 << 10) } }, 413);
    assert.equal(big.json.error.name, 'TypeError');
    assert.equal((await call('getRegistration', 'GET', `/v1/registrations/${r.uid}`, { app, status: 200 })).json.recordsAvailable, true, 'nothing changed');
    await handled(ev.eventId, undefined, 200);
  });

  test('markEventHandled: 409 InvalidStateError for updateUI on a click event, and for an event a command handler takes', async (t) => {
    const reader = await events(t, { app, query: '?handle=true' });
    const r = await create(app, { id: 'live-5', requests: ctx.files.url('/file/live5?size=10') });
    const success = await nextEvent(reader, durable(r.uid));
    await handled(success.eventId, undefined, 200);
    await call('clickRegistration', 'POST', `/v1/registrations/${r.uid}/click`, { app, status: 200 });
    const click = await nextEvent(reader, (ev) => ev.type === 'backgroundfetchclick' && ev.registration.uid === r.uid);
    const res = await handled(click.eventId, { updateUI: { title: 'no' } }, 409);
    assert.equal(res.json.error.name, 'InvalidStateError');
    await handled(click.eventId, undefined, 200);

    const plain = await events(t, { app }); // a plain stream sees the event a command handler takes
    const c = await create(app, { id: 'live-6', requests: ctx.files.url('/file/live6?size=10'), handler: { command: ['/bin/sh', '-c', 'sleep 5'] } });
    const taken = await nextEvent(plain, durable(c.uid));
    const not = await handled(taken.eventId, undefined, 409);
    assert.equal(not.json.error.name, 'InvalidStateError');
  });

  test('streamEvents: 400 TypeError for handle=true with uid=, or a handle that is not a boolean', async (t) => {
    const r = await create(app, { id: 'live-7', requests: ctx.files.url('/file/live7?size=10') });
    await events(t, { app, query: `?handle=true&uid=${r.uid}`, status: 400 });
    await events(t, { app, query: '?handle=sometimes', status: 400 });
    await call('streamEvents', 'GET', '/v1/events?handle=sometimes', { app, status: 400 });
  });
}
