// examples/podcast.mjs, run as a reader would run it, against the daemon
// and a real file server.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Daemon, tempDir, cleanup } from '../testing/daemon.mjs';
import { FileServer } from '../testing/fileserver.mjs';

const example = fileURLToPath(new URL('../examples/podcast.mjs', import.meta.url));
let daemon;
let files;
let folder;

before(async () => {
  daemon = await Daemon.start();
  files = await FileServer.start();
  folder = await tempDir('bgfetch-podcasts-');
});

after(async () => {
  await files?.close();
  await daemon?.stop();
  await cleanup(folder);
});

test('examples/podcast.mjs fetches an episode and its artwork, shows progress, saves them, updates the UI', async () => {
  const episode = files.add('/feed/ep-5.mp3', 2 << 20, { bytesPerSecond: 2 << 20, headers: { 'Content-Type': 'audio/mpeg' } });
  const artwork = files.add('/feed/ep-5-artwork.jpg', 80_000, { headers: { 'Content-Type': 'image/jpeg' } });
  const { stdout } = await promisify(execFile)(process.execPath, [example, files.url('/feed/'), folder], {
    env: { ...process.env, BGFETCH_DATA_DIR: daemon.dataDir },
    timeout: 60_000,
  });
  const lines = stdout.trim().split('\n');
  assert.match(lines[0], /^downloading ep-5 \(uid r_\S+\)$/);
  assert.ok(lines.filter((l) => /^progress \d+% \(\d+ of \d+ bytes\)$/.test(l)).length >= 2, stdout);
  assert.match(lines.at(-1), /^ready: ep-5 saved as /);
  assert.ok((await readFile(path.join(folder, 'ep-5.mp3'))).equals(episode));
  assert.ok((await readFile(path.join(folder, 'ep-5-artwork.jpg'))).equals(artwork));

  const uid = /uid (\S+)\)/.exec(lines[0])[1];
  const reg = await daemon.registration(uid, 'com.example.podcasts');
  assert.equal(reg.result, 'success');
  assert.equal(reg.title, 'Ready to listen: Episode 5: Interesting things.');
  assert.equal(reg.recordsAvailable, false, 'handled: the records are released');
});
