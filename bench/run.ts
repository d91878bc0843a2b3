/**
 * `npm run bench [-- <suite>…] [--quick] [--report]`: runs the benchmark suites (all by default),
 * prints one table and writes bench/results.json (suites not run keep their last figures).
 * Suites: api, memory, startup, bundle, page, compute. See BENCHMARKS.md for the method.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { benchApi } from './api.ts';
import { benchBundle } from './bundle.ts';
import { benchMemory, benchStartup } from './system.ts';
import { benchPage } from './page.ts';
import { benchCompute } from './compute.ts';
import { ROOT } from './lib/processes.ts';
import { CHROMIUM_PATH } from '../e2e/support/settings.ts';
import { fmt, renderTable, verdict, type Row } from './lib/report.ts';
import { writeFormatted } from './lib/write-formatted.ts';

const SUITES = ['api', 'memory', 'startup', 'bundle', 'page', 'compute'] as const;
type Suite = (typeof SUITES)[number];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
// --report: run nothing; print the table and refresh BENCHMARKS.md from bench/results.json.
const reportOnly = args.includes('--report');
const unknown = args.filter((a) => !a.startsWith('--') && !SUITES.includes(a as Suite));
if (unknown.length) {
  process.stderr.write(
    `unknown suite(s): ${unknown.join(', ')}; choose from ${SUITES.join(', ')}\n`,
  );
  process.exit(2);
}
const chosen = args.filter((a): a is Suite => SUITES.includes(a as Suite));
const suites: Suite[] = reportOnly ? [] : chosen.length ? chosen : [...SUITES];
const log = (line: string) => process.stderr.write(`${line}\n`);
const env = (name: string, fallback: number) =>
  process.env[name] ? Number(process.env[name]) : fallback;

function machine() {
  const cpus = os.cpus();
  let chromium: string | undefined;
  try {
    chromium = execFileSync(CHROMIUM_PATH, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    chromium = undefined;
  }
  return {
    nproc: os.availableParallelism(),
    cpu: cpus[0]?.model ?? 'unknown',
    memory: fmt.mib(os.totalmem()).replace('MiB', 'MiB total'),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadavg: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
    chromium,
  };
}

async function runSuite(suite: Suite): Promise<Row[]> {
  const started = performance.now();
  log(`== ${suite} ==`);
  try {
    switch (suite) {
      case 'api': {
        const out = await benchApi({
          repeats: env('BENCH_REPEATS', quick ? 1 : 3),
          durationS: env('BENCH_DURATION_S', quick ? 1 : 3),
          connections: [1, 10, 50],
          mutationAmount: (n) => (quick ? 100 : n === 1 ? 200 : n === 10 ? 500 : 1000),
          log,
        });
        return out.rows;
      }
      case 'memory':
        return await benchMemory({ log });
      case 'startup':
        return await benchStartup({ repeats: env('BENCH_REPEATS', quick ? 2 : 5), log });
      case 'bundle':
        return await benchBundle({ log });
      case 'page':
        return await benchPage({ repeats: env('BENCH_PAGE_REPEATS', quick ? 1 : 5), log });
      case 'compute':
        return await benchCompute({
          repeats: env('BENCH_REPEATS', quick ? 3 : 7),
          branches: quick ? 12 : 50,
          running: quick ? 3 : 10,
          fillerRows: 300_000,
          listRequests: quick ? 100 : 500,
          log,
        });
    }
  } catch (err) {
    log(`${suite} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return [
      {
        group: suite,
        figure: 'suite',
        goal: '—',
        measured: 'not measured',
        pass: null,
        note: `error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      },
    ];
  } finally {
    log(`== ${suite}: ${((performance.now() - started) / 1000).toFixed(1)} s ==`);
  }
}

const resultsFile = path.join(ROOT, 'bench', 'results.json');
interface Results {
  machine: ReturnType<typeof machine>;
  suites: Record<string, { ranAt: string; quick: boolean; loadavgAtStart: string; rows: Row[] }>;
}
let previous: Results | undefined;
try {
  previous = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as Results;
} catch {
  previous = undefined;
}

const all: Row[] = reportOnly ? Object.values(previous?.suites ?? {}).flatMap((s) => s.rows) : [];
const results: Results =
  reportOnly && previous ? previous : { machine: machine(), suites: { ...previous?.suites } };
for (const suite of suites) {
  const loadavgAtStart = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const rows = await runSuite(suite);
  all.push(...rows);
  results.suites[suite] = { ranAt: new Date().toISOString(), quick, loadavgAtStart, rows };
}
await writeFormatted(resultsFile, JSON.stringify(results, null, 2));
await updateBenchmarksMd(results);

/** Rewrites the figures section of BENCHMARKS.md (between its markers) from results.json. */
async function updateBenchmarksMd(r: Results) {
  const file = path.join(ROOT, 'BENCHMARKS.md');
  const start = '<!-- bench:results:start -->';
  const end = '<!-- bench:results:end -->';
  let md: string;
  try {
    md = fs.readFileSync(file, 'utf8');
  } catch {
    return;
  }
  const a = md.indexOf(start);
  const b = md.indexOf(end);
  if (a === -1 || b === -1) return;
  const m = r.machine;
  const cell = (t: string) => t.replace(/\|/g, '\\|');
  const lines = [
    `Machine: ${m.nproc} cores (${m.cpu}), ${m.memory}, Node ${m.node}, ${m.os}${m.chromium ? `, ${m.chromium}` : ''}.`,
    '',
  ];
  for (const name of SUITES) {
    const s = r.suites[name];
    if (!s) continue;
    lines.push(
      `**${name}** — ${s.ranAt.replace('T', ' ').slice(0, 16)} UTC, load average at start ${s.loadavgAtStart ?? 'unknown'}${s.quick ? ', quick (1 short repeat)' : ''}`,
      '',
      '| figure | goal | measured | pass/fail |',
      '|---|---|---|---|',
      ...s.rows.map(
        (row) =>
          `| ${cell(row.figure)} | ${cell(row.goal)} | ${cell(row.measured)} | ${verdict(row)} |`,
      ),
      '',
    );
  }
  await writeFormatted(
    file,
    `${md.slice(0, a + start.length)}\n${lines.join('\n')}\n${md.slice(b)}`,
  );
}

const m = results.machine;
process.stdout.write(
  `\nneon-users-console benchmarks — ${m.nproc} cores, ${m.cpu}, node ${m.node}, load ${
    reportOnly
      ? m.loadavg
      : os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')
  }${quick ? ' (quick: 1 repeat)' : ''}\n\n`,
);
process.stdout.write(`${renderTable(all)}\n\n`);
const failed = all.filter((r) => verdict(r) === 'FAIL').length;
const passed = all.filter((r) => verdict(r) === 'pass').length;
const unmeasured = all.filter((r) => verdict(r) === 'n/a').length;
process.stdout.write(
  `goals: ${passed} met, ${failed} missed${unmeasured ? `, ${unmeasured} not measured` : ''} — written to bench/results.json\n`,
);
