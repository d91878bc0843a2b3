/**
 * The long crash-safety run: `npm run test:crash -- --runs 1000` kills the server that many
 * times under load and prints what was lost. Exits non-zero if anything was. `--computes`
 * puts a real Postgres behind each branch (and kills postmasters too); fewer servers and
 * clients by default then, as each one runs several Postgres.
 */
import { parseArgs } from 'node:util';
import { runCrashTest } from '../test/support/crash-driver.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    workers: { type: 'string' },
    chains: { type: 'string' },
    projects: { type: 'string' },
    seed: { type: 'string' },
    computes: { type: 'boolean', default: false },
  },
});

const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be a whole number ≥ 1, got ${values.runs}`);

const report = await runCrashTest({
  kills: runs,
  workers: Number(values.workers ?? (values.computes ? 4 : 8)),
  chains: Number(values.chains ?? (values.computes ? 2 : 4)),
  projects: Number(values.projects ?? (values.computes ? 2 : 3)),
  computes: values.computes,
  seed: values.seed === undefined ? undefined : Number(values.seed),
  progress: (line) => console.log(line),
});

const a = report.acknowledged;
console.log(
  [
    `kills: ${report.kills} (${report.killsDuringStartup} while starting)`,
    `acknowledged changes: ${a.creates + a.resets + a.deletes} (${a.creates} creates, ${a.resets} resets, ${a.deletes} deletes)`,
    `refused with 423: ${report.refused}`,
    `cut off by a kill: ${report.unanswered} (${report.unansweredApplied} had taken effect, whole)`,
    `operations running at a restart: ${report.operationsInFlightAtRestart} (never finished: ${report.stuckOperations})`,
    `integrity checks: ${report.integrityChecks}, failures: ${report.integrityFailures}`,
    `lost: ${report.lost}, half-applied: ${report.halfApplied}`,
    ...(values.computes
      ? [
          `postmasters killed alone: ${report.postmasterKills}`,
          `branches compared with Postgres: ${report.postgresChecks}, disagreements: ${report.postgresDisagreements}`,
          `orphaned Postgres processes: ${report.orphans}`,
        ]
      : []),
    `time: ${report.seconds.toFixed(0)} s`,
    ...report.problems.map((p) => `problem: ${p}`),
  ].join('\n'),
);
process.exitCode =
  report.problems.length ||
  report.lost ||
  report.halfApplied ||
  report.integrityFailures ||
  report.postgresDisagreements ||
  report.orphans
    ? 1
    : 0;
