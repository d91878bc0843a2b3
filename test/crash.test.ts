import { expect, it } from 'vitest';
import { runCrashTest } from './support/crash-driver.ts';

// The long run is `npm run test:crash -- --runs 1000`; this one kills the server 50 times.
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
