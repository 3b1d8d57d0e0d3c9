// Finding the daemon: the data directory, and the endpoint and token files
// the daemon writes there when it is ready (api.md "Starting and finding
// the daemon").

import os from 'node:os';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { NotRunningError, START_HINT } from './errors.js';

/**
 * defaultDataDir is the OS convention, as the daemon computes it:
 * $XDG_DATA_HOME/bgfetch (~/.local/share/bgfetch) on Linux and other Unix
 * systems, ~/Library/Application Support/bgfetch on macOS,
 * %LocalAppData%\bgfetch on Windows.
 */
export function defaultDataDir(env = process.env, platform = process.platform, home = os.homedir()) {
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA || env.LocalAppData;
    if (local) return path.win32.join(local, 'bgfetch');
  }
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'bgfetch');
  const xdg = env.XDG_DATA_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'bgfetch');
  return path.join(home, '.local', 'share', 'bgfetch');
}

/** resolveDataDir: the dataDir option, else BGFETCH_DATA_DIR, else the default. */
export function resolveDataDir(option, env = process.env) {
  return path.resolve(option || env.BGFETCH_DATA_DIR || defaultDataDir(env));
}

/**
 * parseEndpoint reads the endpoint file's line: "unix:/abs/api.sock" or
 * "http://127.0.0.1:PORT". The answer holds node:http request options.
 */
export function parseEndpoint(line) {
  if (line.startsWith('unix:')) return { socketPath: line.slice('unix:'.length) };
  let url;
  try {
    url = new URL(line);
  } catch {
    throw new TypeError(`the bgfetch endpoint file holds ${JSON.stringify(line)}, which is neither unix:/path nor http://127.0.0.1:PORT`);
  }
  if (url.protocol !== 'http:') throw new TypeError(`the bgfetch endpoint ${line} is not http:`);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80) };
}

/**
 * readDaemonFiles reads DATA_DIR/endpoint and DATA_DIR/token. A missing
 * file means the daemon is not running (it writes endpoint last and
 * removes it on a clean shutdown).
 */
export async function readDaemonFiles(dataDir) {
  const endpointFile = path.join(dataDir, 'endpoint');
  const tokenFile = path.join(dataDir, 'token');
  const endpoint = (await readOrNull(endpointFile))?.trim();
  if (!endpoint) {
    throw new NotRunningError(`bgfetch is not running (no ${endpointFile}) — ${START_HINT}`);
  }
  const token = (await readOrNull(tokenFile))?.trim();
  if (!token) {
    throw new NotRunningError(`bgfetch is not running (no ${tokenFile}) — ${START_HINT}`);
  }
  return { endpoint, token, target: parseEndpoint(endpoint) };
}

async function readOrNull(file) {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
    throw err;
  }
}
