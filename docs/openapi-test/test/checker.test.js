// The checker itself can fail: answers that break the document in each
// way it looks for are refused (no daemon here, made-up answers only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Spec } from '../lib/spec.js';

const spec = await Spec.load();
const json = (status, value, headers = {}) => {
  const text = JSON.stringify(value);
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(text), text, json: value };
};
const status = { version: '0.1.0', app: 'default' };

test('a documented answer passes', () => {
  assert.deepEqual(spec.check('getStatus', json(200, status), 200), status);
});

const refused = [
  ['a status the document does not list', () => spec.check('getStatus', json(418, status)), /does not list/],
  ['a status other than the one the test expects', () => spec.check('getStatus', json(200, status), 201), /want 201/],
  ['a field the schema does not have', () => spec.check('getStatus', json(200, { ...status, extra: 1 })), /additional properties/],
  ['a missing required field', () => spec.check('getStatus', json(200, { version: '0.1.0' })), /required property 'app'/],
  ['a wrong type', () => spec.check('abortRegistration', json(200, { aborted: 'yes' })), /must be boolean/],
  ['a value outside an enum', () => spec.validate('Record', { index: 0, request: { url: 'http://h/', method: 'GET', headers: {} }, state: 'done', downloaded: 0, total: 0, response: null, error: '' }, 'record'), /allowed values/],
  ['another content type', () => spec.check('getStatus', { ...json(200, status), headers: { 'content-type': 'text/html' } }), /Content-Type "text\/html"/],
  ['an error with the wrong name for its status', () => spec.check('getStatus', json(401, { error: { name: 'TypeError', message: 'x' } }, { 'www-authenticate': 'Bearer' })), /constant/],
  ['a required header left out', () => spec.check('getStatus', json(401, { error: { name: 'NotAllowedError', message: 'x' } })), /WWW-Authenticate is required/],
  ['a body where the document has none', () => spec.check('deleteHandler', { status: 204, headers: {}, body: Buffer.from('x'), text: 'x' }), /no body/],
  ['a settled registration with no result', () => spec.validate('Registration', { ...registration(), state: 'settled' }, 'registration'), /must match "then" schema|allowed values/],
  ['a request the daemon refused that the schema accepts', () => spec.inputInvalid('createFetch', { id: 'x', requests: 'http://h/' }), /schema accepts it/],
];
for (const [what, run, message] of refused) test(`refused: ${what}`, () => assert.throws(run, message));

function registration() {
  return {
    uid: 'r_0a', app: 'default', id: 'x', title: '', icons: [], uploadTotal: 0, uploaded: 0, downloadTotal: 0, downloaded: 0,
    result: '', failureReason: '', recordsAvailable: true, state: 'running', createdAt: '2024-01-01T00:00:00Z', settledAt: null,
    knownTotal: 0, allGet: true,
  };
}
