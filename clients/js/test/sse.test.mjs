// The event-stream parser against the HTML standard's framing rules and
// the daemon's own stream (a bare "id: N" first, ": ping" comments).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SSEParser } from '../src/sse.js';

function parse(chunks, lastEventId) {
  const events = [];
  const p = new SSEParser((e) => events.push(e), lastEventId);
  for (const c of chunks) p.push(c);
  return { events, lastEventId: p.lastEventId, retry: p.retry };
}

test('the daemon stream: retry and a bare id first, durable events with ids, progress without', () => {
  const stream =
    'retry: 1000\nid: 41\n\n' +
    'id: 42\nevent: backgroundfetchsuccess\ndata: {"eventId":"42"}\n\n' +
    ': ping\n\n' +
    'event: progress\ndata: {"type":"progress"}\n\n';
  const { events, lastEventId, retry } = parse([stream]);
  assert.equal(retry, 1000);
  assert.deepEqual(events, [
    { type: 'backgroundfetchsuccess', data: '{"eventId":"42"}', lastEventId: '42' },
    { type: 'progress', data: '{"type":"progress"}', lastEventId: '42' },
  ]);
  assert.equal(lastEventId, '42');
  assert.equal(parse(['retry: 1000\nid: 41\n\n']).lastEventId, '41', 'a bare id moves lastEventId');
});

test('chunks split anywhere, CRLF and CR line ends, multi-line data, a field without a colon', () => {
  const text = 'id: 7\r\nevent: x\r\ndata: a\r\ndata:b\r\n\r\nevent: y\rdata\r\r';
  const whole = parse([text]).events;
  assert.deepEqual(whole, [
    { type: 'x', data: 'a\nb', lastEventId: '7' },
    { type: 'y', data: '', lastEventId: '7' },
  ]);
  for (let i = 1; i < text.length; i++) {
    assert.deepEqual(parse([text.slice(0, i), text.slice(i)]).events, whole, `split at ${i}`);
  }
  assert.deepEqual(parse([...text]).events, whole, 'one character at a time');
});

test('an event without data is not dispatched; an unfinished one waits for its blank line', () => {
  assert.deepEqual(parse(['event: lonely\n\n']).events, []);
  assert.deepEqual(parse(['data: half']).events, []);
  assert.equal(parse([''], '9').lastEventId, '9', 'the id to resume from is kept');
});
