import type { Row } from './lib/report.ts';

export async function benchPage(_o: { repeats: number; log: (line: string) => void }): Promise<Row[]> {
  return [{ group: 'page', figure: 'all page figures', goal: '—', measured: 'not measured', pass: null, note: 'not written yet' }];
}
