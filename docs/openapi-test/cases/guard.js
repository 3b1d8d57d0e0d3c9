// What every request goes through before routing: the token (401), the
// Origin and Host checks (403), the Bgfetch-App name (400); and what the
// router answers for an unknown path (404) or a method a path lacks (405).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctx, call } from './helpers.js';
import { isPending, pendingOps } from '../lib/pending.js';

const sample = { uid: 'r_00000000000000000000000000000000', id: 'sample-id', index: '0', eventId: '1' };
export const samplePath = (p) => p.replace(/\{(\w+)\}/g, (_, name) => sample[name]);

export function register() {
  const cases = [
    ['401 without a token', { Authorization: null }, 401, 'NotAllowedError'],
    ['401 with a wrong token', { Authorization: `Bearer ${'0'.repeat(64)}` }, 401, 'NotAllowedError'],
    ['401 with another scheme', { Authorization: 'Basic dXNlcjpwYXNz' }, 401, 'NotAllowedError'],
    ['403 with an Origin header', { Origin: 'http://evil.example' }, 403, 'SecurityError'],
    ['403 with Origin: null', { Origin: 'null' }, 403, 'SecurityError'],
    ['403 with a Host that is not loopback', { Host: 'evil.example' }, 403, 'SecurityError'],
    ['400 with a malformed Bgfetch-App', { 'Bgfetch-App': 'not an app!' }, 400, 'TypeError'],
  ];
  // The operations are read when the tests run, from the loaded document.
  test('every operation refuses what the guard refuses', async (t) => {
    for (const { id, method, path } of ctx.spec.operations()) {
      if (isPending(id)) continue;
      for (const [name, headers, status, errName] of cases) {
        await t.test(`${id}: ${name}`, async () => {
          const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ? '{}' : undefined;
          const res = await call(id, method, samplePath(path), { headers, body, status });
          assert.equal(res.json.error.name, errName);
          if (status === 401) assert.match(res.headers['www-authenticate'], /^Bearer/);
        });
      }
    }
  });

  test('a refused call stores nothing (a fetch and a handler sent without the token)', async () => {
    const app = 'openapi.guard';
    const body = { id: 'refused', requests: ctx.files.url('/file/refused?size=10') };
    await call('createFetch', 'POST', '/v1/fetches', { app, body, headers: { Authorization: null }, status: 401 });
    await call('createFetch', 'POST', '/v1/fetches', { app, body, headers: { Origin: 'http://evil.example' }, status: 403 });
    await call('putHandler', 'PUT', '/v1/handler', { app, body: { command: ['/bin/true'] }, headers: { Authorization: null }, status: 401 });
    const ids = (await call('listFetchIds', 'GET', '/v1/fetches', { app, status: 200 })).json.ids;
    assert.deepEqual(ids, []);
    await call('getHandler', 'GET', '/v1/handler', { app, status: 404 });
  });

  test('an unknown path is 404 NotFoundError, after the guard', async () => {
    for (const p of ['/v1/nope', '/v2/status', '/', '/v1/registrations/r_0/nope']) {
      const res = await ctx.d.call('GET', p);
      ctx.spec.checkShared('NoSuchEndpoint', res, 404);
      assert.equal(res.json.error.name, 'NotFoundError');
    }
    const res = await ctx.d.call('GET', '/v1/nope', { headers: { Authorization: null } });
    assert.equal(res.status, 401, 'the token is checked before routing');
  });

  test('a method a path does not offer is 405 TypeError with Allow naming the documented methods', async (t) => {
    for (const p of Object.keys(ctx.spec.doc.paths)) {
      const documented = ctx.spec.methodsOf(p);
      const offered = documented.filter((m) => !pendingOps().includes(ctx.spec.doc.paths[p][m.toLowerCase()].operationId));
      if (offered.length === 0) continue; // the whole path is pending
      const wrong = ['DELETE', 'PUT', 'PATCH', 'POST', 'GET'].find((m) => !documented.includes(m));
      await t.test(`${wrong} ${p}`, async () => {
        const res = await ctx.d.call(wrong, samplePath(p), { body: wrong === 'GET' ? undefined : '{}' });
        ctx.spec.checkShared('MethodNotAllowed', res, 405);
        assert.equal(res.json.error.name, 'TypeError');
        assert.equal(res.headers.allow, offered.join(', '), `Allow of ${p}`);
      });
    }
  });
}
