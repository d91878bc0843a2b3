import { expect, it } from 'vitest';
import { runCrashTest } from './support/crash-driver.ts';

// The long runs are `npm run test:crash -- --runs 1000 [--computes]`; these kill the server 50
// times, and 6 times with a real Postgres behind each branch.
it('loses no acknowledged change and applies nothing in part across 50 SIGKILLs under load', async () => {
  const report = await runCrashTest({ kills: 50 });

  expect(report.problems).toEqual([]);
  expect(report.kills).toBeGreaterThanOrEqual(50);
  expect(report.integrityChecks).toBe(report.kills);
  expect(report.integrityFailures).toBe(0);
  expect(report.lost).toBe(0);
  expect(report.halfApplied).toBe(0);
  expect(report.stuckOperations).toBe(0);
  // The run proves something only if the kills landed mid-work.
  expect(report.acknowledged.creates).toBeGreaterThan(0);
  expect(report.acknowledged.resets + report.acknowledged.deletes).toBeGreaterThan(0);
  expect(report.unanswered).toBeGreaterThan(0);
  expect(report.operationsInFlightAtRestart).toBeGreaterThan(0);
}, 300_000);

it('with computes: Postgres agrees with the store after every kill, and no Postgres outlives its server', async () => {
  const report = await runCrashTest({
    kills: 6,
    computes: true,
    chains: 1,
    projects: 1,
    workers: 4,
  });

  expect(report.problems).toEqual([]);
  expect(report.lost).toBe(0);
  expect(report.halfApplied).toBe(0);
  expect(report.integrityFailures).toBe(0);
  expect(report.postgresDisagreements).toBe(0);
  expect(report.orphans).toBe(0);
  expect(report.stuckOperations).toBe(0);
  // Postgres was compared (both branches) after each restart, and changes reached it. A kill
  // while the server was starting is followed by the next start, not by a comparison of its own.
  expect(report.postgresChecks).toBeGreaterThanOrEqual(
    (report.kills - report.killsDuringStartup) * 2,
  );
  expect(report.acknowledged.creates + report.acknowledged.resets).toBeGreaterThan(0);
}, 300_000);
