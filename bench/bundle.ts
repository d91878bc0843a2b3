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
    return [
      {
        group: 'bundle',
        figure: 'users page initial JS (gzip)',
        goal: `≤ ${fmt.kib(BUDGET.initialJs)}`,
        measured: fmt.kib(s.initialJs),
        pass: s.initialJs <= BUDGET.initialJs,
        value: s.initialJs,
        unit: 'bytes',
        note: s.initialFiles.join(', '),
      },
      {
        group: 'bundle',
        figure: 'all JS (gzip)',
        goal: `≤ ${fmt.kib(BUDGET.allJs)}`,
        measured: fmt.kib(s.allJs),
        pass: s.allJs <= BUDGET.allJs,
        value: s.allJs,
        unit: 'bytes',
        note: `largest: ${biggest}`,
      },
      {
        group: 'bundle',
        figure: 'CSS (gzip)',
        goal: '—',
        measured: fmt.kib(s.css),
        pass: null,
        value: s.css,
        unit: 'bytes',
      },
    ];
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}
