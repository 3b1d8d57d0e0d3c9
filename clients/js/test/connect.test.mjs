// Finding the daemon: the data dir (option, BGFETCH_DATA_DIR, OS default),
// a clear error when it is not running, and following it when it restarts
// on another port.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { connect, NotRunningError, defaultDataDir } from '../src/index.js';
import { Daemon, tempDir, cleanup } from '../testing/daemon.mjs';
import { FileServer } from '../testing/fileserver.mjs';

const dirs = [];
after(() => cleanup(...dirs));

const notRunning = (err) => {
  assert.ok(err instanceof NotRunningError, `${err?.constructor?.name}: ${err?.message}`);
  assert.equal(err.code, 'BGFETCH_NOT_RUNNING');
  assert.match(err.message, /bgfetch is not running/);
  assert.match(err.message, /`bgfetch`/);
  assert.match(err.message, /`bgfetch serve --headless`/);
  return true;
};

test('connect() with no daemon rejects with a message that says how to start bgfetch', async () => {
  const dir = await tempDir();
  dirs.push(dir);
  await assert.rejects(connect({ dataDir: dir }), (err) => notRunning(err) && err.message.includes(path.join(dir, 'endpoint')));
  await assert.rejects(connect({ dataDir: path.join(dir, 'does', 'not', 'exist') }), notRunning);
});

test('connect() after the daemon was killed (a stale endpoint file) rejects the same way', async () => {
  const daemon = await Daemon.start();
  const endpoint = daemon.endpoint;
  await daemon.kill('SIGKILL');
  try {
    await assert.rejects(connect({ dataDir: daemon.dataDir }), (err) => notRunning(err) && err.message.includes(endpoint));
  } finally {
    await daemon.stop();
  }
});

test('BGFETCH_DATA_DIR is used when dataDir is not given', async () => {
  const daemon = await Daemon.start();
  const saved = process.env.BGFETCH_DATA_DIR;
  process.env.BGFETCH_DATA_DIR = daemon.dataDir;
  try {
    const swReg = await connect({ app: 'env' });
    assert.equal(swReg.dataDir, daemon.dataDir);
    assert.equal(swReg.app, 'env');
    assert.deepEqual(await swReg.backgroundFetch.getIds(), []);
    swReg.close();
  } finally {
    if (saved === undefined) delete process.env.BGFETCH_DATA_DIR;
    else process.env.BGFETCH_DATA_DIR = saved;
    await daemon.stop();
  }
});

test('the OS default data dir', () => {
  assert.equal(defaultDataDir({ XDG_DATA_HOME: '/x/data' }, 'linux', '/home/me'), '/x/data/bgfetch');
  assert.equal(defaultDataDir({}, 'linux', '/home/me'), '/home/me/.local/share/bgfetch');
  assert.equal(defaultDataDir({ XDG_DATA_HOME: 'relative' }, 'linux', '/home/me'), '/home/me/.local/share/bgfetch');
  assert.equal(defaultDataDir({}, 'darwin', '/Users/me'), '/Users/me/Library/Application Support/bgfetch');
  assert.equal(defaultDataDir({ LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' }, 'win32', 'C:\\Users\\me'), 'C:\\Users\\me\\AppData\\Local\\bgfetch');
});

test('calls follow the daemon to its new port after a restart, and say so while it is down', async () => {
  const daemon = await Daemon.start({ listen: 'tcp:127.0.0.1:0' });
  const files = await FileServer.start();
  files.add('/a.bin', 1000);
  try {
    const swReg = await connect({ app: 'moves', baseURL: files.base, dataDir: daemon.dataDir });
    assert.deepEqual(await swReg.backgroundFetch.getIds(), []);
    const before = daemon.endpoint;
    await daemon.kill('SIGTERM');
    await assert.rejects(swReg.backgroundFetch.getIds(), notRunning);
    await daemon.restart();
    assert.notEqual(daemon.endpoint, before, 'port 0 picks another port');
    const reg = await swReg.backgroundFetch.fetch('after-restart', '/a.bin');
    assert.equal(reg.id, 'after-restart');
    assert.deepEqual(await swReg.backgroundFetch.getIds(), ['after-restart']);
    swReg.close();
  } finally {
    await files.close();
    await daemon.stop();
  }
});
