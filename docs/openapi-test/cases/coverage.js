// Coverage: every operation of the document was exercised, and every
// status it documents was provoked (PENDING and UNPROVOKED excepted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctx } from './helpers.js';
import { PENDING, UNPROVOKED, isPending } from '../lib/pending.js';

const unprovoked = (id, status) => UNPROVOKED[`${id} ${status}`] ?? UNPROVOKED[`* ${status}`];

export function register() {
  test('coverage: every operation of the document is exercised (PENDING ones excepted)', (t) => {
    const ops = ctx.spec.operations();
    const exercised = ops.filter((o) => [...ctx.spec.covered].some((k) => k.startsWith(`${o.id} `)));
    const missing = ops.filter((o) => !isPending(o.id) && !exercised.includes(o));
    t.diagnostic(`${ops.length} operations in docs/openapi.yaml, ${exercised.length} exercised, ${ops.filter((o) => isPending(o.id)).length} PENDING`);
    t.diagnostic(`PENDING: ${PENDING.join(', ') || '(none)'}`);
    assert.deepEqual(missing.map((o) => o.id), [], 'operations no test called');
    for (const o of exercised) assert.ok(!isPending(o.id), `${o.id} was exercised although PENDING`);
  });

  test('coverage: every documented status is provoked, or listed in UNPROVOKED with a reason', (t) => {
    const missing = [];
    let documented = 0;
    for (const { id, op } of ctx.spec.operations()) {
      if (isPending(id)) continue;
      for (const status of Object.keys(op.responses)) {
        documented++;
        if (!ctx.spec.covered.has(`${id} ${status}`) && !unprovoked(id, status)) missing.push(`${id} ${status}`);
      }
    }
    for (const name of ['MethodNotAllowed', 'NoSuchEndpoint']) if (!ctx.spec.covered.has(`response ${name}`)) missing.push(`response ${name}`);
    t.diagnostic(`${documented} documented answers of implemented operations, ${[...ctx.spec.covered].filter((k) => !k.startsWith('response ')).length} provoked`);
    for (const [k, why] of Object.entries(UNPROVOKED)) t.diagnostic(`UNPROVOKED ${k}: ${why}`);
    assert.deepEqual(missing, [], 'documented answers no test provoked');
  });
}
