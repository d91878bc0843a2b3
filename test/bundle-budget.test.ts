import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUDGET, buildConsole, measureBundle, type BundleSizes } from '../bench/lib/bundle-size.ts';

// Sizes are deterministic for a given source tree, so this budget may fail the build
// (timings never do: they live in `npm run bench`).
describe('bundle budget (gzip)', () => {
  let outDir: string;
  let sizes: BundleSizes;

  beforeAll(() => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-budget-'));
    buildConsole(outDir);
    sizes = measureBundle(outDir);
  }, 120_000);
  afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

  it(`keeps the users page's initial JS within ${kib(BUDGET.initialJs)}`, () => {
    expect(sizes.initialFiles.length).toBeGreaterThan(0);
    expect(
      sizes.initialJs,
      `initial JS is ${kib(sizes.initialJs)}: ${sizes.initialFiles.join(', ')}`,
    ).toBeLessThanOrEqual(BUDGET.initialJs);
  });

  it(`keeps all JS within ${kib(BUDGET.allJs)}`, () => {
    const largest = sizes.files
      .slice(0, 3)
      .map((f) => `${f.file} ${kib(f.gzip)}`)
      .join(', ');
    expect(sizes.allJs, `all JS is ${kib(sizes.allJs)}; largest: ${largest}`).toBeLessThanOrEqual(
      BUDGET.allJs,
    );
  });

  // What the server sends on a cold load instead of compressing each time (test/console-assets.test.ts).
  it('writes a .br and a .gz of the same bytes beside each script and style sheet', () => {
    const assets = path.join(outDir, 'assets');
    const built = fs.readdirSync(assets).filter((f) => /\.(js|css)$/.test(f));
    const large = built.filter((f) => fs.statSync(path.join(assets, f)).size >= 1024);
    expect(large.length).toBeGreaterThan(0);
    for (const file of large) {
      const source = fs.readFileSync(path.join(assets, file), 'utf8');
      const copy = (ext: string) => fs.readFileSync(path.join(assets, `${file}${ext}`));
      expect(brotliDecompressSync(copy('.br')).toString(), `${file}.br`).toBe(source);
      expect(gunzipSync(copy('.gz')).toString(), `${file}.gz`).toBe(source);
    }
  });
});
