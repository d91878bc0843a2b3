import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serverBundle } from '../server/bundle.mjs';

// `npm start` runs the bundle: it must be made anew whenever a source of it changed, and
// only then. A project of the test's own: server/main.ts importing one more file.
let root: string;
const source = (file: string, text: string, mtime = new Date()) => {
  const full = path.join(root, 'server', file);
  fs.writeFileSync(full, text);
  fs.utimesSync(full, mtime, mtime);
};
const run = (bundle: string) => execFileSync(process.execPath, [bundle], { encoding: 'utf8' });
const builtAt = (bundle: string) => fs.statSync(bundle).mtimeMs;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'server-bundle-'));
  fs.mkdirSync(path.join(root, 'server'));
  const past = new Date(Date.now() - 60_000);
  source(
    'main.ts',
    "import { word } from './word.ts';\nconsole.log(word satisfies string);\n",
    past,
  );
  source('word.ts', "export const word = 'one';\n", past);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

it('is made on first use, kept while its sources are older, made anew when one changes, and a file it no longer imports does not count', async () => {
  const bundle = await serverBundle(root);
  expect(run(bundle)).toBe('one\n');
  const first = builtAt(bundle);

  expect(await serverBundle(root)).toBe(bundle);
  expect(builtAt(bundle)).toBe(first);

  source('word.ts', "export const word = 'two';\n");
  await serverBundle(root);
  expect(run(bundle)).toBe('two\n');
  expect(builtAt(bundle)).toBeGreaterThan(first);

  // main.ts no longer imports word.ts, which then goes: made anew, without it.
  source('main.ts', "console.log('three');\n");
  await serverBundle(root);
  fs.rmSync(path.join(root, 'server', 'word.ts'));
  const beforeRemoval = builtAt(bundle);
  await serverBundle(root);
  expect(run(bundle)).toBe('three\n');
  expect(builtAt(bundle)).toBe(beforeRemoval);
});
