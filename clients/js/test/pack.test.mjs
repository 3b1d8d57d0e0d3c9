// npm pack: the tarball installs into an empty project and runs there
// (import { connect } from 'bgfetch'), against the real daemon.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { stat, writeFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Daemon, tempDir, cleanup, packageDir } from '../testing/daemon.mjs';

const run = promisify(execFile);
let daemon;
let work;

before(async () => {
  daemon = await Daemon.start();
  work = await tempDir('bgfetch-pack-');
});

after(async () => {
  await daemon?.stop();
  await cleanup(work);
});

test('npm pack makes a tarball that installs into an empty project and runs', async () => {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: packageDir });
  const [info] = JSON.parse(stdout);
  const tarball = path.join(work, info.filename);
  const { size } = await stat(tarball);
  console.log(`npm pack: ${info.filename}, ${size} bytes packed (${info.unpackedSize} unpacked, ${info.entryCount} files)`);
  const packed = info.files.map((f) => f.path);
  for (const f of ['package.json', 'README.md', 'src/index.js', 'src/index.d.ts', 'examples/podcast.mjs']) {
    assert.ok(packed.includes(f), `${f} is in the tarball`);
  }
  assert.ok(!packed.some((f) => f.startsWith('test/') || f.startsWith('testing/')), 'no tests in the tarball');

  const project = path.join(work, 'app');
  await run('mkdir', ['-p', project]);
  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'empty-app', version: '1.0.0', private: true, type: 'module' }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: project });
  const installed = JSON.parse(await readFile(path.join(project, 'node_modules', 'bgfetch', 'package.json'), 'utf8'));
  assert.equal(installed.name, 'bgfetch');
  assert.deepEqual(installed.dependencies ?? {}, {}, 'no runtime dependencies');

  const script = `
    import { connect, NotRunningError } from 'bgfetch';
    const swReg = await connect({ app: 'packed' });
    const ids = await swReg.backgroundFetch.getIds();
    swReg.close();
    console.log(JSON.stringify({ ids, notRunning: typeof NotRunningError }));
  `;
  await writeFile(path.join(project, 'main.mjs'), script);
  const out = await run(process.execPath, ['main.mjs'], { cwd: project, env: { ...process.env, BGFETCH_DATA_DIR: daemon.dataDir } });
  assert.deepEqual(JSON.parse(out.stdout), { ids: [], notRunning: 'function' });
});
