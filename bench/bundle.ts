import fs from 'node:fs';
import { makeDataDir } from './api.ts';
import { BUDGET, buildConsole, measureBundle } from './lib/bundle-size.ts';
import { fmt, type Row } from './lib/report.ts';

export async function benchBundle({ log }: { log: (line: string) => void }): Promise<Row[]> {
  const outDir = makeDataDir('dist');
  try {
    log('bundle: vite build into a temp dir');
    buildConsole(outDir);
    const s = measureBundle(outDir);
    const biggest = s.files
      .slice(0, 3)
      .map((f) => `${f.file.replace(/^assets\//, '')} ${fmt.kib(f.gzip)}`)
      .join(', ');
    /** A gzip size in KiB, against its budget when it has one. */
    const size = (figure: string, bytes: number, budget?: number, note?: string): Row => ({
      group: 'bundle',
      figure,
      goal: budget === undefined ? '—' : `≤ ${fmt.kib(budget)}`,
      measured: fmt.kib(bytes),
      pass: budget === undefined ? null : bytes <= budget,
      value: bytes,
      unit: 'bytes',
      ...(note === undefined ? {} : { note }),
    });
    return [
      size(
        'users page initial JS (gzip)',
        s.initialJs,
        BUDGET.initialJs,
        s.initialFiles.join(', '),
      ),
      size('all JS (gzip)', s.allJs, BUDGET.allJs, `largest: ${biggest}`),
      size('CSS (gzip)', s.css),
    ];
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}
