// PUT, GET and DELETE /v1/handler: the app's default handler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctx, call } from './helpers.js';

const app = 'openapi.handler';

export function register() {
  test('getHandler: 404 NotFoundError while the app has none', async () => {
    const res = await call('getHandler', 'GET', '/v1/handler', { app, status: 404 });
    assert.equal(res.json.error.name, 'NotFoundError');
  });

  test('putHandler, getHandler, deleteHandler: a command, then a webhook, then none', async () => {
    for (const h of [{ command: ['/usr/bin/env', 'true'] }, { url: 'http://127.0.0.1:9/bgfetch' }]) {
      const put = await call('putHandler', 'PUT', '/v1/handler', { app, body: h, status: 200 });
      ctx.spec.inputValid('putHandler', h);
      assert.deepEqual(put.json, h);
      assert.deepEqual((await call('getHandler', 'GET', '/v1/handler', { app, status: 200 })).json, h);
    }
    await call('deleteHandler', 'DELETE', '/v1/handler', { app, status: 204 });
    await call('getHandler', 'GET', '/v1/handler', { app, status: 404 });
    await call('deleteHandler', 'DELETE', '/v1/handler', { app, status: 204 });
  });

  const bad = [
    ['an empty object', {}, true],
    ['both command and url', { command: ['/bin/true'], url: 'http://127.0.0.1:9/' }, true],
    ['an empty command', { command: [] }, true],
    ['a command with an empty program', { command: [''] }, false],
    ['a webhook that is not loopback', { url: 'http://example.com/hook' }, false],
    ['a webhook with credentials', { url: 'http://u:p@127.0.0.1:9/' }, false],
    ['an ftp webhook', { url: 'ftp://127.0.0.1/' }, true],
    ['an unknown field', { command: ['/bin/true'], shell: true }, true],
    ['malformed JSON', '{"command": [', false],
  ];
  test('putHandler: 400 TypeError for a bad handler, and nothing changes', async (t) => {
    await call('putHandler', 'PUT', '/v1/handler', { app, body: { command: ['/bin/true'] }, status: 200 });
    for (const [what, body, schemaRefuses] of bad) {
      await t.test(what, async () => {
        const res = await call('putHandler', 'PUT', '/v1/handler', { app, body, status: 400 });
        assert.equal(res.json.error.name, 'TypeError');
        if (schemaRefuses) ctx.spec.inputInvalid('putHandler', body);
      });
    }
    assert.deepEqual((await call('getHandler', 'GET', '/v1/handler', { app, status: 200 })).json, { command: ['/bin/true'] });
    await call('deleteHandler', 'DELETE', '/v1/handler', { app, status: 204 });
  });

  test('putHandler: 413 TypeError for a body over 64 KiB', async () => {
    const body = { command: ['/bin/echo', 'x'.repeat(70 << 10)] };
    const res = await call('putHandler', 'PUT', '/v1/handler', { app, body, status: 413 });
    assert.equal(res.json.error.name, 'TypeError');
    await call('getHandler', 'GET', '/v1/handler', { app, status: 404 });
  });
}
