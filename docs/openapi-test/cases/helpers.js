// Shared steps of the daemon test: calls held against the document, and
// waiting for a registration to reach a state.
import assert from 'node:assert/strict';
import { sleep } from '../lib/daemon.js';
import { isPending } from '../lib/pending.js';

/** ctx is filled by test/api.test.js's before(): {d: Daemon, files: file server, spec: Spec}. */
export const ctx = {};

/** call sends a request to the daemon and holds the answer against opId (and status, when given). */
export async function call(opId, method, path, { app, headers, body, status } = {}) {
  const res = await ctx.d.call(method, path, { app, headers, body });
  ctx.spec.check(opId, res, status);
  return res;
}

export const reg = (uid) => `/v1/registrations/${encodeURIComponent(uid)}`;

/** create registers a fetch, holds the 201 against the document and returns the registration. */
export async function create(app, body) {
  const res = await call('createFetch', 'POST', '/v1/fetches', { app, body, status: 201 });
  ctx.spec.inputValid('createFetch', body);
  assert.equal(res.headers.location, `/v1/registrations/${res.json.uid}`);
  return res.json;
}

/** slow registers a fetch that stays running (~20 KiB/s) and aborts it when the test ends. */
export async function slow(t, app, id, extra = {}) {
  const r = await create(app, { id, requests: ctx.files.url(`/slow/${encodeURIComponent(id)}?size=4000000`), ...extra });
  t.after(() => ctx.d.call('POST', `${reg(r.uid)}/abort`, { app }));
  return r;
}

/** until polls GET /v1/registrations/{uid} (each answer checked) until pred holds. */
export async function until(app, uid, pred, what = 'the wanted state', ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = (await call('getRegistration', 'GET', reg(uid), { app, status: 200 })).json;
    if (pred(r)) return r;
    if (Date.now() > deadline) throw new Error(`${uid} did not reach ${what} in ${ms} ms: ${JSON.stringify(r)}`);
    await sleep(50);
  }
}

export const settled = (app, uid) => until(app, uid, (r) => r.state === 'settled', 'settled');

/** needs is the skip option of a test that depends on PENDING entries. */
export function needs(...names) {
  const later = names.filter(isPending);
  return later.length ? { skip: `PENDING (not on main yet): ${later.join(', ')}` } : {};
}

export const b64 = (s) => Buffer.from(s).toString('base64');
