// checkDocument: docs/openapi.yaml is valid OpenAPI 3.1 (swagger-parser,
// $refs included) and keeps the house rules the daemon test relies on.
import SwaggerParser from '@apidevtools/swagger-parser';
import { Spec, METHODS } from './spec.js';
import { PENDING } from './pending.js';

/** checkDocument resolves with the parsed document or throws naming every problem. */
export async function checkDocument(file, { pending = PENDING } = {}) {
  await SwaggerParser.validate(structuredClone(await SwaggerParser.parse(file)));
  const spec = await Spec.load(file, { honourPending: false });
  const problems = [];
  const doc = spec.doc;
  if (!/^3\.1\./.test(doc.openapi)) problems.push(`openapi is ${doc.openapi}, not 3.1.x`);

  for (const name of Object.keys(doc.components?.schemas ?? {})) {
    try {
      spec.ajv.getSchema(`urn:bgfetch:schemas:${name}`);
    } catch (err) {
      problems.push(`components.schemas.${name} is not a valid JSON Schema 2020-12: ${err.message}`);
    }
    walkSchema(doc.components.schemas[name], `components.schemas.${name}`, problems);
  }

  const ids = new Set();
  for (const { id, method, path, op } of spec.operations()) {
    const where = `${method} ${path}`;
    if (!id) problems.push(`${where} has no operationId`);
    else if (ids.has(id)) problems.push(`operationId ${id} is used twice`);
    ids.add(id);
    for (const status of ['400', '401', '403']) {
      if (!op.responses?.[status]) problems.push(`${where} does not list ${status} (every request passes the token, origin and Bgfetch-App checks)`);
    }
    for (const [status, r] of Object.entries(op.responses ?? {})) {
      try {
        const res = spec.resolve(r);
        for (const [type, media] of Object.entries(res.content ?? {})) {
          if (!media.schema) problems.push(`${where} ${status} ${type} has no schema`);
          else compile(spec, media.schema, `${where} ${status} ${type}`, problems);
        }
      } catch (err) {
        problems.push(`${where} ${status}: ${err.message}`);
      }
    }
    const params = [...(spec.doc.paths[path].parameters ?? []), ...(op.parameters ?? [])].map((p) => spec.resolve(p));
    for (const p of params) compile(spec, p.schema, `${where} parameter ${p.name}`, problems);
    for (const name of (path.match(/\{[^}]+\}/g) ?? []).map((s) => s.slice(1, -1))) {
      if (!params.some((p) => p.in === 'path' && p.name === name)) problems.push(`${where} does not describe its path parameter ${name}`);
    }
  }

  for (const entry of pending) {
    const [opOrSchema, rest] = entry.includes('?') ? entry.split('?') : entry.split('.');
    if (entry.includes('?')) {
      const op = spec.operations().find((o) => o.id === opOrSchema);
      if (!op || !(op.op.parameters ?? []).map((p) => spec.resolve(p)).some((p) => p.name === rest)) problems.push(`PENDING ${entry}: no such parameter in the document`);
    } else if (entry.includes('.')) {
      if (!doc.components.schemas[opOrSchema]?.properties?.[rest]) problems.push(`PENDING ${entry}: no such field in the document`);
    } else if (!ids.has(entry)) problems.push(`PENDING ${entry}: no such operation in the document`);
  }
  if (problems.length) throw new Error(`${file}:\n  ${problems.join('\n  ')}`);
  return spec;
}

function compile(spec, schema, where, problems) {
  try {
    spec.validator(schema);
  } catch (err) {
    problems.push(`${where}: ${err.message}`);
  }
}

/** walkSchema: an object schema that lists properties closes them (drift is caught). */
function walkSchema(s, where, problems) {
  if (!s || typeof s !== 'object') return;
  if (Array.isArray(s)) return s.forEach((x, i) => walkSchema(x, `${where}[${i}]`, problems));
  if (s.type === 'object' && s.properties && s.additionalProperties !== false) {
    problems.push(`${where}: an object schema with properties must say additionalProperties: false`);
  }
  for (const [k, v] of Object.entries(s)) if (typeof v === 'object') walkSchema(v, `${where}.${k}`, problems);
}

export { METHODS };
