// The hand-written types (src/index.d.ts) compile with a strict tsc and
// describe the API as the other tests use it (test/types/usage.ts, which
// also holds the MDN example). Needs `npm install` (typescript is the one
// dev dependency).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { packageDir } from '../testing/daemon.mjs';

test('tsc --strict accepts the types and their use, and refuses the misuse', async () => {
  const tsc = path.join(packageDir, 'node_modules', 'typescript', 'bin', 'tsc');
  assert.ok(existsSync(tsc), 'typescript is missing: run `npm install` in clients/js first');
  const project = path.join(packageDir, 'test', 'types', 'tsconfig.json');
  const result = await promisify(execFile)(process.execPath, [tsc, '-p', project]).catch((err) => err);
  assert.equal(result.code ?? 0, 0, `tsc failed:\n${result.stdout}${result.stderr}`);
});
