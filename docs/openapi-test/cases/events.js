// GET /v1/events: the Server-Sent Events stream, its replay and filters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctx, call, create, settled, reg } from './helpers.js';
import { openStream } from '../lib/http.js';
import { SSEReader } from '../lib/sse.js';

const app = 'openapi.events';

/** events opens GET /v1/events and holds the answer against streamEvents; 200 gives an SSEReader. */
export async function events(t, { app: a = app, query = '', headers = {}, status = 200, op = 'streamEvents' } = {}) {
  const h = { Authorization: `Bearer ${ctx.d.token}`, 'Bgfetch-App': a, ...headers };
  const { res, close } = await openStream(ctx.d.base, { path: `/v1/events${query}`, headers: h });
  t.after(close);
  if (res.statusCode !== 200) {
    const chunks = [];
    for await (const c of res) chunks.push(c);
    const buf = Buffer.concat(chunks);
    ctx.spec.check(op, { status: res.statusCode, headers: res.headers, body: buf, text: buf.toString(), json: JSON.parse(buf) }, status);
    return null;
  }
  ctx.spec.check(op, { status: 200, headers: res.headers, body: Buffer.alloc(0), text: '' }, status);
  const reader = new SSEReader(res);
  const start = await reader.next();
  assert.equal(start.retry, '1000', 'the stream starts with retry: 1000');
  if (/[?&]handle=true/.test(query)) assert.equal(start.id, undefined, 'a live handler\'s stream has no bare id');
  else assert.match(start.id, /^\d+$/, 'and names where it stands with a bare id');
  reader.start = start.id;
  return reader;
}

/** next reads the next event matching pred, holding its data against the Event schema. */
export async function nextEvent(reader, pred, ms) {
  const block = await reader.next((b) => {
    if (b.data === undefined) return false;
    const ev = JSON.parse(b.data);
    ctx.spec.validate('Event', ev, `event ${b.event}`);
    assert.equal(b.event, ev.type, 'the SSE event: field is the type');
    if (ev.eventId !== undefined) assert.equal(b.id, ev.eventId, 'a durable event has its eventId as SSE id');
    else assert.equal(b.id, undefined, 'a live-only event has no SSE id');
    return pred(ev);
  }, ms);
  return JSON.parse(block.data);
}

export function register() {
  let success, click; // durable events of the first test, replayed by the second

  test('streamEvents: 200 text/event-stream with progress, success and click events', async (t) => {
    const reader = await events(t);
    const r = await create(app, { id: 'watched', requests: ctx.files.url('/file/watched?size=200000') });
    success = await nextEvent(reader, (ev) => ev.type === 'backgroundfetchsuccess' && ev.registration.uid === r.uid);
    assert.equal(success.registration.state, 'settled');
    assert.equal(success.records.length, 1);
    await call('clickRegistration', 'POST', `${reg(r.uid)}/click`, { app, status: 200 });
    click = await nextEvent(reader, (ev) => ev.type === 'backgroundfetchclick');
    assert.equal(click.registration.uid, r.uid);
    assert.ok(Number(click.eventId) > Number(success.eventId));
    success.start = reader.start;
  });

  test('streamEvents: Last-Event-ID (header or lastEventId) replays the durable events after it', async (t) => {
    for (const how of ['header', 'query']) {
      const opts = how === 'header' ? { headers: { 'Last-Event-ID': success.start } } : { query: `?lastEventId=${success.start}` };
      const reader = await events(t, opts);
      const first = await nextEvent(reader, (ev) => ev.eventId !== undefined, 5000);
      assert.equal(first.eventId, success.eventId, how);
      const second = await nextEvent(reader, (ev) => ev.eventId !== undefined, 5000);
      assert.equal(second.eventId, click.eventId, how);
    }
  });

  test('streamEvents: uid= narrows to one registration', async (t) => {
    const a = await create(app, { id: 'only-a', requests: ctx.files.url('/file/a?size=10') });
    await settled(app, a.uid);
    const reader = await events(t, { query: `?uid=${a.uid}` });
    const b = await create(app, { id: 'not-b', requests: ctx.files.url('/file/b?size=10') });
    await settled(app, b.uid);
    await call('clickRegistration', 'POST', `${reg(a.uid)}/click`, { app, status: 200 });
    const ev = await nextEvent(reader, (e) => e.eventId !== undefined);
    assert.equal(ev.type, 'backgroundfetchclick');
    assert.equal(ev.registration.uid, a.uid);
  });

  test('streamEvents: 404 for an unknown uid (or another app\'s), 400 for a bad Last-Event-ID', async (t) => {
    await events(t, { query: '?uid=r_dddddddddddddddddddddddddddddddd', status: 404 });
    const mine = await create(app, { id: 'mine', requests: ctx.files.url('/file/m?size=10') });
    await events(t, { app: 'openapi.events-other', query: `?uid=${mine.uid}`, status: 404 });
    await events(t, { headers: { 'Last-Event-ID': 'yesterday' }, status: 400 });
    await events(t, { query: '?lastEventId=-5', status: 400 });
  });
}
