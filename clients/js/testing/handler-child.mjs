// Test support: a client process that handles the app's events and never
// finishes handling them, printing each one as a JSON line, so a test can
// kill it between receiving an event and answering "handled".
//
// usage: node handler-child.mjs DATA_DIR APP

import { connect } from '../src/index.js';

const [dataDir, app] = process.argv.slice(2);
const swReg = await connect({ dataDir, app });
for (const type of ['backgroundfetchsuccess', 'backgroundfetchfail', 'backgroundfetchabort', 'backgroundfetchclick']) {
  swReg.addEventListener(type, (event) => {
    event.waitUntil(new Promise(() => {})); // handling never ends
    process.stdout.write(`${JSON.stringify({ type, eventId: event.eventId, uid: event.registration.uid })}\n`);
  });
}
process.stdout.write('{"ready":true}\n');
