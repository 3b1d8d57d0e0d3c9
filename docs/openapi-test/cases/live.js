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
    const reader = await events(t, { query: '?handle=true' });
    const r = await create(app, { id: 'live-1', requests: ctx.files.url('/file/live1?size=10') });
    const ev = await nextEvent(reader, durable(r.uid));
    assert.equal(ev.type, 'backgroundfetchsuccess');
    const body = { updateUI: { title: 'Episode ready' } };
    await handled(ev.eventId, body, 200);
    ctx.spec.inputValid('markEventHandled', body);
    await until(app, r.uid, (x) => !x.recordsAvailable, 'records released after the event was handled');
    const twice = await handled(ev.eventId, undefined, 404);
    assert.equal(twice.json.error.name, 'NotFoundError');
    await handled('999999999', undefined, 404);
  });

  test('live handler: an event waits in the outbox, records available, until a live handler connects', needs('streamEvents?handle', 'markEventHandled'), async (t) => {
    const r = await create(app, { id: 'live-2', requests: ctx.files.url('/file/live2?size=10') });
    const done = await settled(app, r.uid);
    assert.equal(done.recordsAvailable, true);
    const reader = await events(t, { query: '?handle=true' });
    const ev = await nextEvent(reader, durable(r.uid));
    await handled(ev.eventId, undefined, 200);
    await until(app, r.uid, (x) => !x.recordsAvailable, 'records released');
  });

  test('live handler: an event not acknowledged is sent again to the next live handler', needs('streamEvents?handle', 'markEventHandled'), async (t) => {
    const first = await events(t, { query: '?handle=true' });
    const r = await create(app, { id: 'live-3', requests: ctx.files.url('/file/live3?size=10') });
    const ev = await nextEvent(first, durable(r.uid));
    first.res.destroy();
    const second = await events(t, { query: '?handle=true' });
    const again = await nextEvent(second, durable(r.uid));
    assert.equal(again.eventId, ev.eventId);
    await handled(again.eventId, undefined, 200);
  });

  test('markEventHandled: 400 TypeError for a bad body, and the event stays unhandled', needs('streamEvents?handle', 'markEventHandled'), async (t) => {
    const reader = await events(t, { query: '?handle=true' });
    const r = await create(app, { id: 'live-4', requests: ctx.files.url('/file/live4?size=10') });
    const ev = await nextEvent(reader, durable(r.uid));
    for (const body of ['{"updateUI": ', { updateUI: { title: 5 } }, { colour: 'red' }]) {
      const res = await handled(ev.eventId, body, 400);
      assert.equal(res.json.error.name, 'TypeError');
    }
    await handled(ev.eventId, undefined, 200);
  });
}
