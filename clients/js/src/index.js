// bgfetch: the web's Background Fetch API for Node and Electron, over the
// local API of the bgfetch daemon. Where a page gets its service worker
// registration, an app calls connect().

export { connect, BackgroundFetchConnection } from './connection.js';
export { BackgroundFetchManager } from './manager.js';
export { BackgroundFetchRegistration } from './registration.js';
export { BackgroundFetchRecord } from './record.js';
export { BackgroundFetchEvent, BackgroundFetchUpdateUIEvent } from './events.js';
export { NotRunningError } from './errors.js';
export { defaultDataDir } from './datadir.js';
