// Type-checked by test/types.test.mjs (tsc --noEmit): the package's
// .d.ts as an app sees it through package.json's "exports".

import {
  connect,
  NotRunningError,
  BackgroundFetchRegistration,
  BackgroundFetchRecord,
  BackgroundFetchUpdateUIEvent,
  BackgroundFetchEvent,
} from 'bgfetch';

async function mdn(): Promise<void> {
  const navigator = { serviceWorker: { ready: connect({ app: 'com.example.podcasts', baseURL: 'https://example.com/' }) } };

  // The MDN example, verbatim.
  navigator.serviceWorker.ready.then(async (swReg) => {
    const bgFetch = await swReg.backgroundFetch.fetch('my-fetch', ['/ep-5.mp3', 'ep-5-artwork.jpg'], {
      title: 'Episode 5: Interesting things.',
      icons: [{
        sizes: '300x300',
        src: '/ep-5-icon.png',
        type: 'image/png',
      }],
      downloadTotal: 60 * 1024 * 1024,
    });
  });

  const swReg = await navigator.serviceWorker.ready;
  swReg.addEventListener('backgroundfetchsuccess', (event) => {
    const e: BackgroundFetchUpdateUIEvent = event;
    event.waitUntil((async () => {
      const records: BackgroundFetchRecord[] = await event.registration.matchAll();
      const responses: Response[] = await Promise.all(records.map((r) => r.responseReady));
      const urls: string[] = records.map((r) => r.request.url);
      await event.updateUI({ title: `${urls.length} files, ${responses.length} responses` });
    })());
  });
  swReg.addEventListener('backgroundfetchclick', (event) => {
    const e: BackgroundFetchEvent = event;
    // @ts-expect-error: a click event has no updateUI
    event.updateUI({ title: 'no' });
  });
  swReg.onbackgroundfetchfail = (event) => {
    const reason: string = event.registration.failureReason;
  };

  const reg: BackgroundFetchRegistration | undefined = await swReg.backgroundFetch.get('my-fetch');
  if (reg) {
    reg.onprogress = () => reg.downloaded / reg.downloadTotal;
    reg.addEventListener('progress', () => {});
    const aborted: boolean = await reg.abort();
    const one: BackgroundFetchRecord | undefined = await reg.match(new Request('https://example.com/a'), { ignoreSearch: true });
    const uid: string = reg.uid;
    // @ts-expect-error: the web's fields are read-only
    reg.downloaded = 5;
  }
  const ids: string[] = await swReg.backgroundFetch.getIds();
  await swReg.backgroundFetch.fetch('upload', new Request('https://example.com/up', { method: 'POST', body: 'x' }), {
    priority: 'high',
    destination: '/home/me/Podcasts',
  });
  // @ts-expect-error: fetch() needs requests
  await swReg.backgroundFetch.fetch('nothing');
  // @ts-expect-error: an unknown priority
  await swReg.backgroundFetch.fetch('bad', 'a', { priority: 'urgent' });
  await swReg.close();
}

async function notRunning(): Promise<void> {
  try {
    await connect();
  } catch (err) {
    if (err instanceof NotRunningError) {
      const code: 'BGFETCH_NOT_RUNNING' = err.code;
    }
  }
}

export { mdn, notRunning };
