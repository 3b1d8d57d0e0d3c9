// docs/openapi.yaml as a checker: every answer of the real daemon is held
// against the document's response for that operation and status (status,
// content type, headers, JSON body), and every request it accepted against
// the document's request body. What was checked is recorded for the
// coverage test.
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import assert from 'node:assert/strict';
import path from 'node:path';
import { repoRoot } from './daemon.js';
import { pendingFields } from './pending.js';

export const DOC = path.join(repoRoot, 'docs', 'openapi.yaml');
export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const SCHEMA_URN = 'urn:bgfetch:schemas:';

/** newAjv is the JSON Schema 2020-12 validator, strict about the schemas themselves. */
export function newAjv() {
  const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: true, allErrors: true });
  addFormats(ajv);
  return ajv;
}

/** rewriteRefs copies a schema, pointing #/components/schemas/X at the ajv id of X. */
function rewriteRefs(schema) {
  if (Array.isArray(schema)) return schema.map(rewriteRefs);
  if (!schema || typeof schema !== 'object') return schema;
  const out = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$ref' && typeof v === 'string') {
      const m = /^#\/components\/schemas\/([^/]+)$/.exec(v);
      if (!m) throw new Error(`schema $ref ${v} does not name a component schema`);
      out[k] = SCHEMA_URN + m[1];
    } else out[k] = rewriteRefs(v);
  }
  return out;
}

export class Spec {
  /** load parses the document (no validation: that is document.js's). */
  static async load(file = DOC, { honourPending = true } = {}) {
    return new Spec(await SwaggerParser.parse(file), honourPending);
  }

  constructor(doc, honourPending) {
    this.doc = doc;
    this.covered = new Set();
    this.ajv = newAjv();
    this.validators = new WeakMap();
    for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
      const s = rewriteRefs(schema);
      const later = honourPending ? pendingFields(name) : [];
      if (later.length && Array.isArray(s.required)) s.required = s.required.filter((f) => !later.includes(f));
      try {
        this.ajv.addSchema(s, SCHEMA_URN + name);
      } catch (err) {
        throw new Error(`components.schemas.${name} is not a valid JSON Schema 2020-12: ${err.message}`);
      }
    }
  }

  /** resolve follows a non-schema $ref (#/components/responses/X, parameters, headers). */
  resolve(obj) {
    while (obj && obj.$ref) {
      const parts = obj.$ref.replace(/^#\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
      obj = parts.reduce((o, p) => o?.[p], this.doc);
      if (!obj) throw new Error(`unresolved $ref`);
    }
    return obj;
  }

  /** operations lists every operation: {id, method, path, op}. */
  operations() {
    const out = [];
    for (const [p, item] of Object.entries(this.doc.paths)) {
      for (const m of METHODS) if (item[m]) out.push({ id: item[m].operationId, method: m.toUpperCase(), path: p, op: item[m], item });
    }
    return out;
  }

  operation(id) {
    const found = this.operations().find((o) => o.id === id);
    if (!found) throw new Error(`no operation ${id} in the document`);
    return found;
  }

  /** methodsOf is the sorted methods the document gives a path. */
  methodsOf(p) {
    return METHODS.filter((m) => this.doc.paths[p][m]).map((m) => m.toUpperCase()).sort();
  }

  validator(schema) {
    if (!this.validators.has(schema)) this.validators.set(schema, this.ajv.compile(rewriteRefs(schema)));
    return this.validators.get(schema);
  }

  /** validate throws unless value matches schema (a schema object, or a component name). */
  validate(schema, value, what) {
    const v = typeof schema === 'string' ? this.ajv.getSchema(SCHEMA_URN + schema) : this.validator(schema);
    if (!v) throw new Error(`no schema ${schema}`);
    if (!v(value)) {
      const errs = this.ajv.errorsText(v.errors, { separator: '\n  ', dataVar: 'body' });
      throw new assert.AssertionError({ message: `${what} does not match the document:\n  ${errs}\nvalue: ${JSON.stringify(value).slice(0, 1500)}` });
    }
  }

  /** check holds an answer against operation opId; with `status`, the answer must have it. Returns the JSON body. */
  check(opId, answer, status) {
    const { op } = this.operation(opId);
    const what = `${opId} → ${answer.status}`;
    if (status !== undefined) assert.equal(answer.status, status, `${opId}: status ${answer.status}, want ${status}; body: ${answer.text.slice(0, 500)}`);
    const documented = op.responses[String(answer.status)];
    assert.ok(documented, `${opId} answered ${answer.status}, which the document does not list (it lists ${Object.keys(op.responses).join(', ')}); body: ${answer.text.slice(0, 300)}`);
    this.checkResponse(this.resolve(documented), answer, what);
    this.covered.add(`${opId} ${answer.status}`);
    return answer.json;
  }

  /** checkShared holds an answer against components.responses[name] (405, unknown paths). */
  checkShared(name, answer, status) {
    assert.equal(answer.status, status, `${name}: status ${answer.status}, want ${status}`);
    this.checkResponse(this.resolve(this.doc.components.responses[name]), answer, name);
    this.covered.add(`response ${name}`);
    return answer.json;
  }

  checkResponse(res, answer, what) {
    for (const [name, h] of Object.entries(res.headers ?? {})) {
      const header = this.resolve(h);
      const value = answer.headers[name.toLowerCase()];
      if (value === undefined) {
        assert.ok(!header.required, `${what}: header ${name} is required by the document but absent`);
        continue;
      }
      const typed = header.schema?.type === 'integer' ? Number(value) : value;
      this.validate(header.schema, typed, `${what}: header ${name}=${value}`);
    }
    if (!res.content) {
      assert.equal(answer.body.length, 0, `${what}: the document gives no body, the daemon sent ${answer.body.length} bytes`);
      return;
    }
    const type = (answer.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
    const key = Object.keys(res.content).find((k) => k === type || k === '*/*' || (k.endsWith('/*') && type.startsWith(k.slice(0, -1))));
    assert.ok(key, `${what}: Content-Type "${type}" is not among the document's ${Object.keys(res.content).join(', ')}`);
    if (key === 'application/json') this.validate(res.content[key].schema, answer.json, `${what}: body`);
  }

  /** inputValid: a body the daemon accepted must be valid for the document too. */
  inputValid(opId, body) {
    const schema = this.operation(opId).op.requestBody?.content?.['application/json']?.schema;
    assert.ok(schema, `${opId} has no JSON request body in the document`);
    this.validate(schema, body, `${opId} request body`);
  }

  /** inputInvalid: a body the daemon refused (400) must be invalid for the document. */
  inputInvalid(opId, body) {
    const schema = this.operation(opId).op.requestBody.content['application/json'].schema;
    assert.equal(this.validator(schema)(body), false, `${opId}: the daemon refused ${JSON.stringify(body).slice(0, 300)} but the document's schema accepts it`);
  }
}
