// docs/openapi.yaml is a valid OpenAPI 3.1 document, and the check that says
// so fails on broken copies of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkDocument } from '../lib/document.js';
import { DOC } from '../lib/spec.js';

const original = fs.readFileSync(DOC, 'utf8');

test('docs/openapi.yaml is valid OpenAPI 3.1 and keeps the house rules', async () => {
  const spec = await checkDocument(DOC);
  assert.equal(spec.doc.openapi, '3.1.0');
  assert.ok(spec.operations().length >= 20, `only ${spec.operations().length} operations`);
});

// Each broken copy changes one thing in the text of the real document.
const broken = [
  ['no info object', (s) => s.replace(/^info:\n(  .*\n|\n)*?(?=servers:)/m, ''), /must have required property 'info'/],
  ['a parameter in the body (Swagger 2 style)', (s) => s.replace('      name: Bgfetch-App\n      in: header\n', '      name: Bgfetch-App\n      in: body\n'), /parameters\/App|must be equal to one of the allowed values/],
  ['a response without its description', (s) => s.replace("          description: The daemon's version and the app the request was scoped to.\n", ''), /~1v1~1status\/get\/responses\/200.*description/],
  ['a $ref to no schema', (s) => s.replace('$ref: "#/components/schemas/Status"', '$ref: "#/components/schemas/NoSuchThing"'), /Missing \$ref pointer "#\/components\/schemas\/NoSuchThing"/],
  ['a misspelt JSON Schema type', (s) => s.replace(/(    AbortAnswer:\n(?:.*\n)*?          )type: boolean/, '$1type: boolen'), /components\.schemas\.AbortAnswer is not a valid JSON Schema.*type/],
  ['an unknown schema keyword', (s) => s.replace('    Uid:\n      description: Unique forever.\n', '    Uid:\n      description: Unique forever.\n      patern: "^r_"\n'), /components\.schemas\.Uid is not a valid JSON Schema 2020-12: strict mode: unknown keyword: "patern"/],
  ['an operationId used twice', (s) => s.replace('operationId: listFetchIds', 'operationId: createFetch'), /createFetch is used twice/],
  ['an open object schema', (s) => s.replace(/(    IdList:\n      type: object\n)      additionalProperties: false\n/, '$1'), /IdList.*additionalProperties/],
  ['a path parameter left out', (s) => s.replace(/(  \/v1\/fetches\/\{id\}:\n    get:\n(?:.*\n)*?      parameters:\n        - \$ref: "#\/components\/parameters\/App"\n)(        - name: id\n(?:          .*\n)+)/, '$1'), /GET \/v1\/fetches\/\{id\} does not describe its path parameter id/],
  ['a version that is not 3.1', (s) => s.replace(/^openapi: 3\.1\.0$/m, 'openapi: 3.0.3'), /Swagger schema validation failed/],
];

for (const [name, breakIt, message] of broken) {
  test(`a broken copy fails: ${name}`, async () => {
    const text = breakIt(original);
    assert.notEqual(text, original, 'the breakage did not change the document');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-broken-'));
    try {
      const file = path.join(dir, 'openapi.yaml');
      fs.writeFileSync(file, text);
      await assert.rejects(checkDocument(file), message);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a PENDING entry that names nothing in the document fails', async () => {
  await assert.rejects(checkDocument(DOC, { pending: ['noSuchOperation', 'Registration.noSuchField', 'streamEvents?noSuchParam'] }), (err) => {
    assert.match(err.message, /PENDING noSuchOperation/);
    assert.match(err.message, /PENDING Registration\.noSuchField/);
    assert.match(err.message, /PENDING streamEvents\?noSuchParam/);
    return true;
  });
});
