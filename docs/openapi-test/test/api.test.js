// The real daemon against docs/openapi.yaml: every operation, its success
// and each documented error, every answer held against the document.
// One daemon and one file server serve all cases; each case file uses
// its own app (Bgfetch-App), so they do not see each other's fetches.
import { before, after } from 'node:test';
import { ctx } from '../cases/helpers.js';
import { Daemon } from '../lib/daemon.js';
import { startFileServer } from '../lib/fileserver.js';
import { Spec } from '../lib/spec.js';
import * as guard from '../cases/guard.js';
import * as fetches from '../cases/fetches.js';
import * as registrations from '../cases/registrations.js';
import * as records from '../cases/records.js';
import * as events from '../cases/events.js';
import * as handler from '../cases/handler.js';
import * as transfer from '../cases/transfer.js';
import * as live from '../cases/live.js';
import * as pending from '../cases/pending.js';
import * as coverage from '../cases/coverage.js';

before(async () => {
  ctx.spec = await Spec.load();
  ctx.files = await startFileServer();
  ctx.d = await Daemon.start();
});

after(async () => {
  await ctx.d?.stop();
  await ctx.files?.close();
});

for (const cases of [guard, fetches, registrations, records, events, handler, transfer, live, pending]) cases.register();
coverage.register(); // last: it reads what the others covered
