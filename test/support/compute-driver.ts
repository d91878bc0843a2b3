/**
 * Runs a compute engine in a process of its own, so a lifecycle test can kill it with
 * SIGKILL: `node --import tsx test/support/compute-driver.ts <dataDir> <branchId>`. Prints one JSON
 * line once the branch's Postgres runs, then waits to be killed.
 */
import { ComputeManager } from '../../server/compute/compute-manager.ts';

const [dataDir, branchId] = process.argv.slice(2);
if (!dataDir || !branchId) throw new Error('usage: compute-driver.ts <dataDir> <branchId>');
const manager = await ComputeManager.open({ dataDir, defaultSuspendTimeoutSeconds: 0 });
await manager.ensureBranch(branchId);
await manager.start(branchId);
console.log(JSON.stringify({ postmaster: manager.usage(branchId).pids[0] }));
setInterval(() => {}, 60_000);
