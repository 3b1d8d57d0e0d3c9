// Test support: the real bgfetch daemon binary on a temporary data dir,
// and a raw view of its API (node:http, not the client under test).

import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile, rm, stat, rename, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(packageDir, '..', '..');

let building = null;

/**
 * daemonBinary is $BGFETCH_BIN, else ../../bin/bgfetch from the package,
 * built from the repository root (go build -tags no_emoji) when missing.
 */
export async function daemonBinary() {
  if (process.env.BGFETCH_BIN) return path.resolve(process.env.BGFETCH_BIN);
  const bin = path.join(repoRoot, 'bin', 'bgfetch');
  if (await exists(bin)) return bin;
  building ??= (async () => {
    await mkdir(path.dirname(bin), { recursive: true });
    const tmp = `${bin}.build-${process.pid}`;
    const env = { ...process.env, PATH: `/usr/local/go/bin:${process.env.PATH}`, CGO_ENABLED: '1' };
    await promisify(execFile)('go', ['build', '-tags', 'no_emoji', '-o', tmp, '.'], {
      cwd: repoRoot,
      env,
      maxBuffer: 64 << 20,
    });
    await rename(tmp, bin); // atomic: a parallel test file never runs half a binary
  })();
  await building;
  return bin;
}

async function exists(file) {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** tempDir makes a fresh directory that cleanup() removes. */
export async function tempDir(prefix = 'bgfetch-js-') {
  return mkdtemp(path.join(tmpdir(), prefix));
}

/**
 * Daemon runs `bgfetch serve --headless` on dataDir. listen: a --listen
 * value (default: the data dir's Unix socket).
 */
export class Daemon {
  static async start({ dataDir, listen, args = [] } = {}) {
    const d = new Daemon();
    d.dataDir = dataDir ?? (await tempDir());
    d.ownsDataDir = !dataDir;
    d.listen = listen;
    d.args = args;
    d.bin = await daemonBinary();
    await d.#spawn();
    return d;
  }

  async #spawn() {
    await rm(path.join(this.dataDir, 'endpoint'), { force: true });
    const argv = ['serve', '--headless', '--data-dir', this.dataDir, ...this.args];
    if (this.listen) argv.push('--listen', this.listen);
    this.log = '';
    this.proc = spawn(this.bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    const proc = this.proc;
    const reap = () => proc.kill('SIGKILL'); // a test file that ends early leaves no daemon behind
    process.once('exit', reap);
    proc.once('exit', () => process.off('exit', reap));
    this.proc.stdout.on('data', (b) => (this.log += b));
    this.proc.stderr.on('data', (b) => (this.log += b));
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + 20_000;
    for (;;) {
      const line = await readFile(path.join(this.dataDir, 'endpoint'), 'utf8').catch(() => '');
      if (line.trim()) {
        this.endpoint = line.trim();
        this.token = (await readFile(path.join(this.dataDir, 'token'), 'utf8')).trim();
        return;
      }
      if (this.proc.exitCode !== null || Date.now() > deadline) {
        throw new Error(`bgfetch did not start (exit ${this.proc.exitCode}):\n${this.log}`);
      }
      await sleep(20);
    }
  }

  /** kill stops the daemon with signal (SIGTERM: a clean shutdown) and waits for it. */
  async kill(signal = 'SIGTERM') {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
    return this.exited;
  }

  /** restart starts it again on the same data dir (after kill). */
  async restart() {
    await this.#spawn();
  }

  async stop() {
    await this.kill('SIGTERM');
    if (this.ownsDataDir) await rm(this.dataDir, { recursive: true, force: true });
  }

  /** api makes one request to the API: {status, data}. */
  api(method, urlPath, { body, app = 'default', headers = {} } = {}) {
    const target = this.endpoint.startsWith('unix:')
      ? { socketPath: this.endpoint.slice(5) }
      : { host: '127.0.0.1', port: Number(new URL(this.endpoint).port) };
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          ...target,
          method,
          path: urlPath,
          agent: false,
          headers: { Authorization: `Bearer ${this.token}`, 'Bgfetch-App': app, ...headers },
        },
        async (res) => {
          let text = '';
          res.setEncoding('utf8');
          for await (const c of res) text += c;
          let data = text;
          try {
            data = text ? JSON.parse(text) : null;
          } catch {
            // not JSON: the text
          }
          resolve({ status: res.statusCode, headers: res.headers, data });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** registration is GET /v1/registrations/{uid}'s object. */
  async registration(uid, app) {
    const { status, data } = await this.api('GET', `/v1/registrations/${uid}`, { app });
    if (status !== 200) throw new Error(`GET registration ${uid}: ${status} ${JSON.stringify(data)}`);
    return data;
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** waitFor polls check() until it answers truthy (its answer) or throws after timeout. */
export async function waitFor(what, check, timeout = 15_000, every = 25) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(every);
  }
}

/** deferred is a promise with its resolve and reject outside. */
export function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** nextEvent resolves with the next event of type on target (rejects after timeout). */
export function nextEvent(target, type, timeout = 15_000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      target.removeEventListener(type, on);
      reject(new Error(`no ${type} event within ${timeout} ms`));
    }, timeout);
    const on = (event) => {
      clearTimeout(t);
      target.removeEventListener(type, on);
      resolve(event);
    };
    target.addEventListener(type, on);
  });
}

export async function cleanup(...dirs) {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
}
