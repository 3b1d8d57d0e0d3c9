// The PENDING list, reported: one skipped test per entry, and a probe per
// entry that fails once the daemon answers it (then the entry must go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctx, call, create, reg, settled } from './helpers.js';
import { PENDING, pendingOps } from '../lib/pending.js';
import { samplePath } from './guard.js';

const app = 'openapi.pending';

/** unanswered: what the router says for a path or method it does not have. */
function unanswered(res) {
  return res.status === 405 || (res.status === 404 && /^no such endpoint/.test(res.json?.error?.message ?? ''));
}

export function register() {
  for (const entry of PENDING) test(`PENDING: ${entry}`, { skip: 'described in docs/openapi.yaml, not on main yet' }, () => {});

  test('PENDING probes: each entry is still not answered by this daemon', { skip: PENDING.length === 0 && 'PENDING is empty' }, async (t) => {
    const r = await create(app, { id: 'probe', requests: ctx.files.url('/file/probe?size=10') });
    const done = await settled(app, r.uid);
    for (const id of pendingOps()) {
      await t.test(`${id} (probe)`, async () => {
        const { method, path } = ctx.spec.operation(id);
        const p = samplePath(path).replace(/r_0+/, r.uid);
        const res = await ctx.d.call(method, p, { app, body: ['POST', 'PATCH', 'PUT'].includes(method) ? '{}' : undefined });
        assert.ok(unanswered(res), `${method} ${p} answered ${res.status} ${res.text.slice(0, 200)}: ${id} looks implemented; take it out of PENDING`);
      });
    }
    for (const entry of PENDING.filter((e) => e.startsWith('Registration.'))) {
      await t.test(`${entry} (probe)`, () => {
        const field = entry.split('.')[1];
        assert.ok(!(field in done), `the registration has ${field} (${JSON.stringify(done[field])}): take ${entry} out of PENDING`);
      });
    }
    for (const entry of PENDING.filter((e) => e.startsWith('FetchInput.'))) {
      await t.test(`${entry} (probe)`, async () => {
        const field = entry.split('.')[1];
        const value = ctx.spec.doc.components.schemas[field === 'maxBytesPerSecond' ? 'BytesPerSecond' : field[0].toUpperCase() + field.slice(1)]?.enum?.[0] ?? 1;
        const res = await call('createFetch', 'POST', '/v1/fetches', { app, body: { id: `probe-${field}`, requests: ctx.files.url('/file/p?size=1'), [field]: value } });
        if (res.status === 201) await ctx.d.call('POST', `${reg(res.json.uid)}/abort`, { app });
        assert.equal(res.status, 400, `a fetch with ${field} was accepted: take ${entry} out of PENDING`);
        assert.match(res.json.error.message, /unknown field/);
      });
    }
  });
}
