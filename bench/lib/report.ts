/** One line of the table: a figure, its goal (if any), what was measured, and the verdict. */
export interface Row {
  group: string;
  figure: string;
  /** Human text of the goal, or '—' for a figure reported for information. */
  goal: string;
  measured: string;
  /** true/false against the goal; null when there is no goal or nothing was measured. */
  pass: boolean | null;
  /** The number behind `measured`, for results.json. */
  value?: number;
  unit?: string;
  note?: string;
}

export function verdict(row: Row): string {
  if (row.pass === true) return 'pass';
  if (row.pass === false) return 'FAIL';
  return row.measured === 'not measured' ? 'n/a' : 'info';
}

export function renderTable(rows: Row[]): string {
  const head = ['figure', 'goal', 'measured', 'pass/fail'];
  const body = rows.map((r) => [`${r.group} · ${r.figure}`, r.goal, r.measured, verdict(r)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const fmt = {
  ms: (v: number) => (v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`),
  rps: (v: number) => `${Math.round(v).toLocaleString('en-US')} req/s`,
  kib: (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`,
  mib: (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`,
  ratio: (v: number) => (v >= 10 ? `${v.toFixed(0)}×` : `${v.toFixed(2)}×`),
};
