#!/usr/bin/env node
// podcast.mjs: a podcast app's downloads with bgfetch, written the way a
// web app uses Background Fetch. It needs nothing but Node (no Electron),
// and its two functions go unchanged into an Electron main process:
//
//   import { app, BrowserWindow, Notification, ipcMain } from 'electron';
//   import { connect } from 'bgfetch';
//   import { APP, handleEpisodeEvents, downloadEpisode } from './podcast.mjs';
//
//   app.whenReady().then(async () => {
//     const win = new BrowserWindow();
//     const swReg = await connect({ app: APP, baseURL: 'https://podcasts.example.com/' });
//     handleEpisodeEvents(swReg, {
//       folder: app.getPath('music'),
//       onReady: (reg) => new Notification({ title: reg.title }).show(),
//       onClick: () => win.show(),
//     });
//     ipcMain.handle('download', (_e, episode) =>
//       downloadEpisode(swReg, { ...episode, onProgress: (reg) => win.webContents.send('progress', reg.toJSON()) })
//         .then((reg) => reg.uid));
//     app.on('before-quit', () => swReg.close());
//   });
//
// As a script: node podcast.mjs BASE_URL [FOLDER]
// fetches BASE_URL/ep-5.mp3 and BASE_URL/ep-5-artwork.jpg into FOLDER
// (default: ./podcasts), printing progress, and exits when they are saved.
// bgfetch must be running (`bgfetch` or `bgfetch serve --headless`).

import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { connect } from 'bgfetch';

/** The app's name in bgfetch: its fetches and events are its own. */
export const APP = 'com.example.podcasts';

/**
 * handleEpisodeEvents is the service worker's part: when a fetch
 * succeeds, save its files in folder and tell bgfetch's UI the episode is
 * ready. bgfetch keeps the events of fetches that settled while the app
 * was not running and delivers them here at the next start, so call this
 * once at start-up.
 */
export function handleEpisodeEvents(swReg, { folder, onReady = () => {}, onFailed = () => {}, onClick = () => {} }) {
  swReg.addEventListener('backgroundfetchsuccess', (event) => {
    event.waitUntil(
      (async () => {
        await mkdir(folder, { recursive: true });
        const saved = [];
        for (const record of await event.registration.matchAll()) {
          const response = await record.responseReady;
          const file = path.join(folder, path.basename(new URL(record.request.url).pathname));
          await pipeline(Readable.fromWeb(response.body), createWriteStream(file));
          saved.push(file);
        }
        await event.updateUI({ title: `Ready to listen: ${event.registration.title}` });
        onReady(event.registration, saved);
      })(),
    );
  });
  swReg.addEventListener('backgroundfetchfail', (event) => {
    event.waitUntil(
      (async () => {
        await event.updateUI({ title: `Download failed: ${event.registration.title}` });
        onFailed(event.registration);
      })(),
    );
  });
  swReg.addEventListener('backgroundfetchabort', (event) => onFailed(event.registration));
  swReg.addEventListener('backgroundfetchclick', (event) => onClick(event.registration));
}

/**
 * downloadEpisode is the page's part: start the background fetch of an
 * episode and its artwork (or find the one already running) and report
 * its progress.
 */
export async function downloadEpisode(swReg, { id, episode, artwork, title, onProgress = () => {} }) {
  const running = await swReg.backgroundFetch.get(id);
  const reg =
    running ??
    (await swReg.backgroundFetch.fetch(id, [episode, artwork], {
      title,
      icons: [{ src: artwork, sizes: '300x300', type: 'image/jpeg' }],
    }));
  reg.addEventListener('progress', () => onProgress(reg));
  return reg;
}

function percent(reg) {
  const total = reg.downloadTotal || reg.knownTotal;
  if (!total) return `${reg.downloaded} bytes`;
  return `${Math.floor((100 * reg.downloaded) / total)}% (${reg.downloaded} of ${total} bytes)`;
}

async function main([baseURL, folder = 'podcasts']) {
  if (!baseURL) {
    console.error('usage: node podcast.mjs BASE_URL [FOLDER]');
    return 2;
  }
  const swReg = await connect({ app: APP, baseURL });
  const outcome = new Promise((resolve) => {
    handleEpisodeEvents(swReg, {
      folder,
      onReady: (reg, files) => {
        console.log(`ready: ${reg.id} saved as ${files.join(', ')}`);
        resolve(0);
      },
      onFailed: (reg) => {
        console.error(`failed: ${reg.id} (${reg.failureReason})`);
        resolve(1);
      },
    });
  });
  const reg = await downloadEpisode(swReg, {
    id: 'ep-5',
    episode: 'ep-5.mp3',
    artwork: 'ep-5-artwork.jpg',
    title: 'Episode 5: Interesting things.',
    onProgress: (r) => console.log(`progress ${percent(r)}`),
  });
  console.log(`downloading ${reg.id} (uid ${reg.uid})`);
  const code = await outcome;
  await swReg.close(); // resolves once bgfetch has the "handled" answer (and the new title)
  return code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err) => {
      console.error(err.message);
      process.exitCode = 1;
    },
  );
}
