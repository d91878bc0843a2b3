import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT } from './processes.ts';

/** Budgets in bytes of gzip (level 9), enforced by test/bundle-budget.test.ts. */
export const BUDGET = { initialJs: 110 * 1024, allJs: 160 * 1024 };

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

export interface BundleSizes {
  /** The users page's first load: the entry chunk and everything it imports statically. */
  initialJs: number;
  initialFiles: string[];
  /** Every JS chunk the console can load (lazy pages and dialogs included). */
  allJs: number;
  css: number;
  files: { file: string; gzip: number }[];
}

const gzipSize = (file: string) => gzipSync(fs.readFileSync(file), { level: 9 }).length;

/** Builds the console into `outDir` (not dist/, which a running server may be serving). */
export function buildConsole(outDir: string): void {
  const vite = path.join(ROOT, 'node_modules', '.bin', 'vite');
  const res = spawnSync(
    vite,
    ['build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'],
    {
      cwd: ROOT,
      // Vitest sets NODE_ENV=test, which would bundle React's development build.
      env: { ...process.env, NODE_ENV: 'production' },
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  if (res.status !== 0)
    throw new Error(`vite build failed (${res.status}): ${res.stderr || res.stdout}`);
}

/** Reads the sizes from a build's .vite/manifest.json (build.manifest is on in vite.config.ts). */
export function measureBundle(distDir: string): BundleSizes {
  const manifestFile = path.join(distDir, '.vite', 'manifest.json');
  if (!fs.existsSync(manifestFile))
    throw new Error(`${manifestFile} is missing: is build.manifest on in vite.config.ts?`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const entries = Object.entries(manifest).filter(([, c]) => c.isEntry);
  if (entries.length !== 1)
    throw new Error(`expected one entry chunk in the manifest, found ${entries.length}`);

  const initial = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || initial.has(chunk.file)) return;
    initial.add(chunk.file);
    for (const dep of chunk.imports ?? []) visit(dep);
  };
  visit(entries[0]![0]);

  const assets = path.join(distDir, 'assets');
  const files = fs
    .readdirSync(assets)
    .filter((f) => f.endsWith('.js') || f.endsWith('.css'))
    .map((f) => ({ file: `assets/${f}`, gzip: gzipSize(path.join(assets, f)) }))
    .sort((a, b) => b.gzip - a.gzip);
  const sum = (pred: (f: string) => boolean) =>
    files.filter((f) => pred(f.file)).reduce((s, f) => s + f.gzip, 0);
  return {
    initialJs: sum((f) => initial.has(f)),
    initialFiles: [...initial],
    allJs: sum((f) => f.endsWith('.js')),
    css: sum((f) => f.endsWith('.css')),
    files,
  };
}
