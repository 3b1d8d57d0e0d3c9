// Starts the real bgfetch binary (`serve --headless`) on a temp data dir
// over loopback TCP, builds it first when it is missing or stale, and stops it.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from './http.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * binary is BGFETCH_BIN as it is, else bin/bgfetch at the repo root, built
 * when it is missing or older than a Go source file (a stale binary would
 * test old code).
 */
export function binary() {
  if (process.env.BGFETCH_BIN) {
    const given = path.resolve(process.env.BGFETCH_BIN);
    if (!fs.existsSync(given)) throw new Error(`BGFETCH_BIN=${process.env.BGFETCH_BIN} does not exist`);
    return given;
  }
  const bin = path.join(repoRoot, 'bin', 'bgfetch');
  if (fs.existsSync(bin) && fs.statSync(bin).mtimeMs >= newestSource(repoRoot)) return bin;
  const env = { ...process.env, CGO_ENABLED: '1', PATH: `/usr/local/go/bin:${process.env.PATH}` };
  const build = spawnSync('go', ['build', '-tags', 'no_emoji', '-o', bin, '.'], { cwd: repoRoot, env, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`go build of ${bin} failed (status ${build.status})`);
  return bin;
}

const skipDirs = new Set(['.git', 'bin', 'dist', 'node_modules', 'testdata']);

/** newestSource is the latest mtime of the module's .go files, go.mod and go.sum. */
function newestSource(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (!skipDirs.has(e.name) && !e.name.startsWith('.')) newest = Math.max(newest, newestSource(path.join(dir, e.name)));
    } else if (e.name.endsWith('.go') || e.name === 'go.mod' || e.name === 'go.sum') {
      newest = Math.max(newest, fs.statSync(path.join(dir, e.name)).mtimeMs);
    }
  }
  return newest;
}

/** Daemon is one running `bgfetch serve --headless`. */
export class Daemon {
  static async start(extraArgs = [], dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgfetch-openapi-'))) {
    const args = ['serve', '--headless', '--data-dir', dir, '--listen', 'tcp:127.0.0.1:0', '--handler-retry-base', '50ms', ...extraArgs];
    const child = spawn(binary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const d = new Daemon(dir, child);
    d.args = extraArgs;
    const endpoint = path.join(dir, 'endpoint');
    for (const deadline = Date.now() + 30_000; !fs.existsSync(endpoint); ) {
      if (d.exited) throw new Error(`bgfetch exited early (${d.exited}):\n${d.log}`);
      if (Date.now() > deadline) throw new Error(`no ${endpoint} after 30 s:\n${d.log}`);
      await sleep(20);
    }
    d.base = fs.readFileSync(endpoint, 'utf8').trim();
    d.token = fs.readFileSync(path.join(dir, 'token'), 'utf8').trim();
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(d.base)) throw new Error(`unexpected endpoint ${d.base}`);
    return d;
  }

  constructor(dir, child) {
    this.dir = dir;
    this.child = child;
    this.log = '';
    this.exited = null;
    child.stdout.on('data', (b) => (this.log += b));
    child.stderr.on('data', (b) => (this.log += b));
    this.done = new Promise((resolve) => child.on('exit', (code, sig) => resolve((this.exited = `${code ?? sig}`))));
  }

  /** call sends a request with the token and the app header; `headers` may override or (as null) drop either. */
  call(method, p, { app, headers = {}, body } = {}) {
    const h = { Authorization: `Bearer ${this.token}`, ...(app ? { 'Bgfetch-App': app } : {}) };
    for (const [k, v] of Object.entries(headers)) {
      if (v === null) delete h[k];
      else h[k] = v;
    }
    if (body !== undefined && !('Content-Type' in h)) h['Content-Type'] = 'application/json';
    return request(this.base, { method, path: p, headers: h, body });
  }

  /** stop ends the daemon (SIGTERM) and removes its data dir unless keep. */
  async stop({ keep = false } = {}) {
    if (!this.exited) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await this.done;
      clearTimeout(timer);
    }
    if (!keep) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** restart stops the daemon and starts it again on the same data dir. */
  async restart() {
    await this.stop({ keep: true });
    const next = await Daemon.start(this.args, this.dir);
    Object.assign(this, { child: next.child, base: next.base, token: next.token, done: next.done, exited: null });
    next.child.on('exit', (code, sig) => (this.exited = `${code ?? sig}`));
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
