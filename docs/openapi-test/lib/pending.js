// What docs/openapi.yaml describes (from api.md) that the daemon on main
// does not answer yet. Each entry is reported as a skipped test under its
// own name, never as passing, and each is probed: once the daemon answers
// it, the probe fails and says to take the entry out of this list.
//
//   an operationId            the whole operation
//   operationId?param         one query parameter of an operation
//   Schema.field              one field of a component schema (a required
//                             response field is not required while pending;
//                             an input field is expected to be refused)
export const PENDING = [
];

// Answers the document lists that no request from outside can provoke on
// a healthy daemon: "OPERATION STATUS" (* for every operation) and why.
export const UNPROVOKED = {
  '* 500': 'UnknownError is an internal failure (the store failing); nothing a client sends causes it',
};

export const pendingOps = () => PENDING.filter((p) => !p.includes('.') && !p.includes('?'));
export const pendingParams = () => PENDING.filter((p) => p.includes('?'));
export const pendingFields = (schema) =>
  PENDING.filter((p) => p.startsWith(`${schema}.`)).map((p) => p.slice(schema.length + 1));
export const isPending = (name) => PENDING.includes(name);

// Where the daemon's answers disagree with api.md or docs/API.md. The
// tests of these run as TODO (reported, not failing the run) until the
// daemon or the docs change; the daemon is not this test's to change.
// (None since issue 14: member names are matched exactly.)
export const DISAGREES = {};
