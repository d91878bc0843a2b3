/**
 * The long crash-safety run: `npm run test:crash -- --runs 1000` kills the server that many
 * times under load and prints what was lost. Exits non-zero if anything was.
 */
import { parseArgs } from 'node:util';
import { runCrashTest } from '../test/support/crash-driver.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    workers: { type: 'string', default: '8' },
    chains: { type: 'string', default: '4' },
    seed: { type: 'string' },
  },
});

const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be a whole number ≥ 1, got ${values.runs}`);

const report = await runCrashTest({
  kills: runs,
  workers: Number(values.workers),
  chains: Number(values.chains),
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
    `time: ${report.seconds.toFixed(0)} s`,
    ...report.problems.map((p) => `problem: ${p}`),
  ].join('\n'),
);
process.exitCode =
  report.problems.length || report.lost || report.halfApplied || report.integrityFailures ? 1 : 0;
