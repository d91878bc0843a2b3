/**
 * Crash-safety driver shared by test/crash.test.ts (a short run inside `npm test`) and
 * scripts/crash.ts (`npm run test:crash -- --runs 1000`).
 *
 * It runs the real server (server/main.ts) as a child process on a data directory on disk,
 * drives concurrent role creates, password resets and deletes against it, kills it with
 * SIGKILL at random moments, checks the SQLite file (`PRAGMA integrity_check`), restarts it
 * and checks through the API, as a client would, that:
 * - every acknowledged change is there (a 201 create unless an acknowledged delete
 *   followed, the password of the last acknowledged reset, an acknowledged delete gone);
 * - a change refused with 423 left no trace, and one cut off by the kill either happened
 *   whole or not at all: each role change commits together with the one `apply_config`
 *   operation it starts, so the new operations of a branch must number exactly the changes
 *   that took effect;
 * - operations that were running at the kill finish after the restart.
 * With `computes` each branch is a real Postgres, and the driver also kills a compute's
 * postmaster alone now and then; once the operations have finished it logs in to each
 * branch as a client would: Postgres has exactly the roles the API lists, a changed user
 * logs in with its password, a replaced password and a deleted user are refused; and after
 * each kill of the server no Postgres of its data directory outlives it.
 *
 * The child is the server's bundle (server/bundle.mjs, what `npm start` runs), because
 * starting tsx costs about a second per restart and the run restarts the server hundreds
 * of times.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { testServerEnv } from './test-env.ts';
import { serverBundle } from '../../server/bundle.mjs';
import { disagreements, killPostmaster, orphansAfter, type Credentials } from './crash-computes.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const API_KEY = 'crash-test-api-key';
const DB_FILE = 'neon-local.sqlite';
/**
 * Operation durations the server is restarted with: none (no 423s, most load), short, and
 * long enough (longer than a restart, even on a busy machine) that operations are still running when it comes back.
 */
const OPERATION_MS = [0, 0, 40, 40, 3000];
/** With computes, how long operations (real Postgres work, computes waking) may take to finish. */
const COMPUTE_OPERATIONS_WAIT_MS = 60_000;
/** How long a killed server's watchdogs may take to stop its Postgres before it counts as an orphan. */
const ORPHAN_WAIT_MS = 15_000;
/** With computes, the share of rounds that kill one postmaster instead of the server. */
const POSTMASTER_KILL_SHARE = 0.2;

export interface CrashOptions {
  /** How many times the server is killed. */
  kills: number;
  /** Servers killed side by side, each with its own data directory (default 4). */
  chains?: number;
  /** Concurrent clients sending changes, per server (default 8). */
  workers?: number;
  /** Projects the changes are spread over (each has a default and a child branch). */
  projects?: number;
  /** Longest wait between the start of the load and the kill (default 500 ms). */
  maxKillDelayMs?: number;
  seed?: number;
  /** Real Postgres behind each branch (NEON_LOCAL_COMPUTES=1), checked by logging in. */
  computes?: boolean;
  progress?: (line: string) => void;
}

export interface CrashReport {
  kills: number;
  /** Kills that landed while the server was starting (opening the store), not under load. */
  killsDuringStartup: number;
  acknowledged: { creates: number; resets: number; deletes: number };
  /** 423 answers: definitive refusals, which must leave no trace. */
  refused: number;
  /** Requests the kill cut off, and how many of them had taken effect. */
  unanswered: number;
  unansweredApplied: number;
  /** Acknowledged changes missing after a restart. */
  lost: number;
  /** Changes applied in part, or applied although refused. */
  halfApplied: number;
  integrityChecks: number;
  integrityFailures: number;
  /** Operations still running when the server came back, and those that never finished. */
  operationsInFlightAtRestart: number;
  stuckOperations: number;
  /** With computes: postmasters killed alone (the server kept running). */
  postmasterKills: number;
  /** With computes: branches compared with their Postgres, and the disagreements found. */
  postgresChecks: number;
  postgresDisagreements: number;
  /** With computes: Postgres processes still running after the server that owned them was killed. */
  orphans: number;
  /** Human-readable descriptions of everything that went wrong (first 50). */
  problems: string[];
  seconds: number;
}

interface RoleModel {
  name: string;
  present: boolean;
  /** The last known password; undefined when never seen. */
  password: string | undefined;
  /** A request is on the wire right now. */
  busy: boolean;
  /** A request the kill cut off: resolved by looking at the restarted server. */
  pending: 'create' | 'reset' | 'delete' | undefined;
  /** Changed (or refused) since the last check. */
  touched: boolean;
  /** Made with the project (owner, protected role): never changed by the load. */
  fixed: boolean;
  /** Passwords a reset replaced since the last check (computes: each must be refused). */
  retired: string[];
}

interface BranchModel {
  projectId: string;
  branchId: string;
  roles: Map<string, RoleModel>;
  /** Changes known to have taken effect since the last check. */
  committed: number;
  /** The endpoint's host, and the owner's login (computes). */
  host: string;
  owner: Credentials | undefined;
  /** Roles deleted since the last check, with their last password (computes: refused). */
  deleted: Credentials[];
}

interface Operation {
  id: string;
  branch_id?: string;
  action: string;
  status: string;
  error?: string;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The error behind a fetch that got no answer: its name, and its cause's code and message. */
function describeFailure(err: unknown): string {
  const error = err as Error & { cause?: { code?: string; message?: string } };
  const cause = error.cause
    ? `: ${error.cause.code ?? ''} ${error.cause.message ?? ''}`.trimEnd()
    : '';
  return `${error.name} ${error.message}${cause}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Bundles server/main.ts into one ES module next to node_modules, so packages resolve. */
interface Child {
  proc: ChildProcess;
  /** Resolves with the base URL once the server listens. */
  ready: Promise<string>;
  exited: Promise<void>;
  output(): string;
}

function startServer(
  bundle: string,
  dataDir: string,
  operationMs: number,
  computes: boolean,
): Child {
  const proc = spawn(process.execPath, [bundle], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...testServerEnv({
        NEON_LOCAL_SKIP_BUILD: '1',
        NEON_LOCAL_DATA_DIR: dataDir,
        NEON_LOCAL_OPERATION_MS: String(operationMs),
        NEON_LOCAL_SEED: '0',
        NEON_LOCAL_COMPUTES: computes ? '1' : '0',
        // With computes, the server's log says why an operation failed or a request got a 500.
        NEON_LOCAL_QUIET: computes ? '0' : '1',
        NEON_LOCAL_SUSPEND_TIMEOUT_SECONDS: '0',
        NEON_API_KEY: API_KEY,
        HOST: '127.0.0.1',
        PORT: '0',
      }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Neon Users console: (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    void exited.then(() => reject(new Error(`the server exited before listening:\n${out}`)));
  });
  ready.catch(() => {});
  return { proc, ready, exited, output: () => out };
}

async function kill(child: Child): Promise<void> {
  child.proc.kill('SIGKILL');
  await child.exited;
}

/**
 * `PRAGMA integrity_check` on a copy of the killed server's files, so the restarted server
 * still has to recover the write-ahead log itself. Returns undefined when all is well.
 */
function checkIntegrity(dataDir: string, scratch: string): string | undefined {
  const source = path.join(dataDir, DB_FILE);
  if (!fs.existsSync(source)) return undefined;
  const copy = path.join(scratch, DB_FILE);
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(copy + suffix, { force: true });
  fs.copyFileSync(source, copy);
  if (fs.existsSync(`${source}-wal`)) fs.copyFileSync(`${source}-wal`, `${copy}-wal`);
  const db = new Database(copy);
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    const result = rows.map((r) => r.integrity_check).join('; ');
    if (result !== 'ok') return `integrity_check: ${result}`;
    const fk = db.pragma('foreign_key_check') as unknown[];
    if (fk.length) return `foreign_key_check: ${JSON.stringify(fk.slice(0, 5))}`;
    return undefined;
  } finally {
    db.close();
  }
}

export async function runCrashTest(options: CrashOptions): Promise<CrashReport> {
  const started = performance.now();
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const workers = options.workers ?? 8;
  const maxKillDelayMs = options.maxKillDelayMs ?? 500;
  const progress = options.progress ?? (() => {});
  const computes = options.computes ?? false;

  const report: CrashReport = {
    kills: 0,
    killsDuringStartup: 0,
    acknowledged: { creates: 0, resets: 0, deletes: 0 },
    refused: 0,
    unanswered: 0,
    unansweredApplied: 0,
    lost: 0,
    halfApplied: 0,
    integrityChecks: 0,
    integrityFailures: 0,
    operationsInFlightAtRestart: 0,
    stuckOperations: 0,
    postmasterKills: 0,
    postgresChecks: 0,
    postgresDisagreements: 0,
    orphans: 0,
    problems: [],
    seconds: 0,
  };
  const problem = (text: string) => {
    if (report.problems.length < 50) report.problems.push(text);
    progress(`problem: ${text}`); // as it happens: a long run can be read while it goes
  };

  let nextProgress = 50;
  const bundle = await serverBundle();
  try {
    await Promise.all(Array.from({ length: options.chains ?? 4 }, () => runChain()));
  } finally {
    report.seconds = (performance.now() - started) / 1000;
  }
  return report;

  /** One server and its data directory, killed and restarted until the run has its kills. */
  async function runChain() {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'neon-crash-'));
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'neon-crash-copy-'));
    let base = '';
    let child: Child | undefined;

    /** Why the last call got no answer (a timeout, a reset connection…), for the problem text. */
    let lastFailure = '';

    async function call(
      method: string,
      apiPath: string,
      body?: unknown,
    ): Promise<Answer | undefined> {
      try {
        const res = await fetch(`${base}/api/v2${apiPath}`, {
          method,
          headers: {
            authorization: `Bearer ${API_KEY}`,
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(20_000),
        });
        const text = await res.text();
        return {
          status: res.status,
          body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
        };
      } catch (err) {
        lastFailure = describeFailure(err);
        return undefined;
      }
    }

    /** A call to a server that must be up (set-up and checks): anything but `expected` is fatal. */
    async function must(
      method: string,
      apiPath: string,
      expected: number,
      body?: unknown,
    ): Promise<Record<string, unknown>> {
      for (let attempt = 0; ; attempt++) {
        const answer = await call(method, apiPath, body);
        if (answer?.status === expected) return answer.body;
        if (answer?.status === 423 && attempt < 500) {
          await sleep(10);
          continue;
        }
        throw new Error(
          `${method} ${apiPath}: expected ${expected}, got ${answer ? `${answer.status} ${JSON.stringify(answer.body)}` : `no answer (${lastFailure})`}`,
        );
      }
    }

    let operationMs = 0;
    const restart = async () => {
      child = startServer(bundle, dataDir, operationMs, computes);
      try {
        base = await child.ready;
      } catch (err) {
        problem(
          `the server did not come back after a kill: ${(err as Error).message.slice(0, 2000)}`,
        );
        throw err;
      }
    };

    const branches: BranchModel[] = [];
    const seenOperations = new Set<string>();
    /** Operations seen scheduling or running, by project. */
    const unfinished = new Map<string, string>();
    const ackedOperations = new Set<string>();
    let nameSeq = 0;

    try {
      await restart();

      // Set-up, not under load: projects, each with a child branch that has its own compute.
      for (let p = 0; p < (options.projects ?? 3); p++) {
        const created = (await must('POST', '/projects', 201, {
          project: { name: `crash-${p}` },
        })) as {
          project: { id: string };
          branch: { id: string };
          roles: { name: string; password?: string }[];
          endpoints: { host: string }[];
        };
        const ownerRole = created.roles.find((r) => r.password);
        const owner = ownerRole && { name: ownerRole.name, password: ownerRole.password! };
        const dev = (await must('POST', `/projects/${created.project.id}/branches`, 201, {
          branch: { name: 'dev' },
          endpoints: [{ type: 'read_write' }],
        })) as { branch: { id: string }; endpoints: { host: string }[] };
        for (const [branchId, host] of [
          [created.branch.id, created.endpoints[0]!.host],
          [dev.branch.id, dev.endpoints[0]!.host],
        ] as const) {
          const { roles } = (await must(
            'GET',
            `/projects/${created.project.id}/branches/${branchId}/roles`,
            200,
          )) as {
            roles: { name: string }[];
          };
          const model: BranchModel = {
            projectId: created.project.id,
            branchId,
            roles: new Map(),
            committed: 0,
            host,
            owner,
            deleted: [],
          };
          for (const r of roles) {
            model.roles.set(r.name, {
              name: r.name,
              present: true,
              password: undefined,
              busy: false,
              pending: undefined,
              touched: false,
              fixed: true,
              retired: [],
            });
          }
          branches.push(model);
          // A few users to reset and delete from the first kill on.
          for (let i = 0; i < 5; i++) {
            const name = `seed-${i}`;
            const body = (await must(
              'POST',
              `/projects/${created.project.id}/branches/${branchId}/roles`,
              201,
              {
                role: { name },
              },
            )) as { role: { password: string } };
            model.roles.set(name, {
              name,
              present: true,
              password: body.role.password,
              busy: false,
              pending: undefined,
              touched: true,
              fixed: false,
              retired: [],
            });
            model.committed++;
          }
        }
      }
      await verify(false);

      while (report.kills < options.kills) {
        if (computes && random() < POSTMASTER_KILL_SHARE) {
          // One compute's Postgres dies under load; the server lives on and must recover it.
          await loadAndKill('postmaster');
          await verify(false);
          continue;
        }
        await loadAndKill('server');
        await afterKill();
        if (report.kills < options.kills && random() < 0.15) {
          // A kill while the server opens its store and recovers the log.
          operationMs = computes ? 0 : pick(OPERATION_MS);
          const c = startServer(bundle, dataDir, operationMs, computes);
          await sleep(random() * 400);
          await kill(c);
          report.killsDuringStartup++;
          await afterKill();
        }
        operationMs = computes ? 0 : pick(OPERATION_MS);
        await restart();
        await verify(true);
        if (report.kills >= nextProgress) {
          nextProgress += 50;
          progress(
            `${report.kills} kills, ${report.acknowledged.creates + report.acknowledged.resets + report.acknowledged.deletes} acknowledged, ` +
              `${report.lost} lost, ${report.halfApplied} half-applied, ${report.integrityFailures} integrity failures` +
              (computes
                ? `, ${report.postmasterKills} postmasters killed, ${report.postgresChecks} Postgres checks, ` +
                  `${report.postgresDisagreements} disagreements, ${report.orphans} orphans`
                : '') +
              `, ${report.problems.length} problems, ${Math.round((performance.now() - started) / 1000)} s, load ${os.loadavg()[0]!.toFixed(1)}`,
          );
        }
      }
      // Whatever was still running at the last restart must finish.
      await checkUnfinished(
        computes ? COMPUTE_OPERATIONS_WAIT_MS : Math.max(...OPERATION_MS) + 5000,
      );
      if (unfinished.size) {
        report.stuckOperations += unfinished.size;
        problem(`operations never finished after a restart: ${[...unfinished.keys()].join(', ')}`);
      }
    } catch (err) {
      problem(`the run stopped: ${(err as Error).message}`);
    } finally {
      if (child) await kill(child);
      if (computes) {
        const orphans = await orphansAfter(dataDir, ORPHAN_WAIT_MS);
        report.orphans += orphans.length;
        if (orphans.length)
          problem(`after the last kill: Postgres left running: ${orphans.join(', ')}`);
      }
      fs.rmSync(scratch, { recursive: true, force: true });
      if (report.problems.length === 0) fs.rmSync(dataDir, { recursive: true, force: true });
      else problem(`data directory kept for inspection: ${dataDir} (seed ${seed})`);
    }

    async function afterKill() {
      report.kills++;
      if (computes) {
        const orphans = await orphansAfter(dataDir, ORPHAN_WAIT_MS);
        if (orphans.length) {
          report.orphans += orphans.length;
          problem(
            `after kill ${report.kills}: Postgres still running ${ORPHAN_WAIT_MS} ms after its server died: pids ${orphans.join(', ')}`,
          );
        }
      }
      report.integrityChecks++;
      try {
        const failure = checkIntegrity(dataDir, scratch);
        if (failure) {
          report.integrityFailures++;
          problem(`after kill ${report.kills}: ${failure}`);
        }
      } catch (err) {
        report.integrityFailures++;
        problem(
          `after kill ${report.kills}: the store could not be opened: ${(err as Error).message}`,
        );
      }
    }

    /** Load, and at a random moment a SIGKILL of the server, or of one compute's postmaster. */
    async function loadAndKill(target: 'server' | 'postmaster') {
      let stopped = false;
      const running = child!;
      // The kill comes at a random moment after the server answers its first change (a cold,
      // busy server can take long over it), or after the longest delay if none is answered.
      // With long operations, wait for an acknowledged change (the project may still be locked
      // by the last run's operations), so that some are surely running at the restart.
      const waitForChange = operationMs >= 1000;
      const acks = () =>
        report.acknowledged.creates + report.acknowledged.resets + report.acknowledged.deletes;
      const acksBefore = acks();
      let firstAnswer = () => {};
      const answered = new Promise<void>((resolve) => (firstAnswer = resolve));
      const killer = (async () => {
        await Promise.race([answered, sleep(waitForChange ? operationMs + 1000 : maxKillDelayMs)]);
        await sleep(random() * maxKillDelayMs);
        if (target === 'postmaster') {
          if (killPostmaster(dataDir, pick)) report.postmasterKills++;
          await sleep(200 + random() * maxKillDelayMs); // the load meets the dead compute
          stopped = true;
          return;
        }
        stopped = true;
        await kill(running);
      })();
      await Promise.all([killer, ...Array.from({ length: workers }, () => worker())]);

      async function worker() {
        while (!stopped) {
          const branch = pick(branches);
          const idle = [...branch.roles.values()].filter(
            (r) => r.present && !r.fixed && !r.busy && !r.pending,
          );
          const roll = random();
          const createShare = idle.length < 4 ? 1 : idle.length > 30 ? 0.2 : 0.45;
          let refused = false;
          if (roll < createShare) refused = await create(branch);
          else if (roll < createShare + (1 - createShare) / 2)
            refused = await reset(branch, pick(idle));
          else refused = await remove(branch, pick(idle));
          if (refused) await sleep(2 + random() * 8);
          if (!waitForChange || acks() > acksBefore) firstAnswer();
        }
      }

      function rolePath(branch: BranchModel, name?: string) {
        const roles = `/projects/${branch.projectId}/branches/${branch.branchId}/roles`;
        return name === undefined ? roles : `${roles}/${encodeURIComponent(name)}`;
      }

      function acked(body: Record<string, unknown>) {
        for (const op of (body.operations as { id: string }[] | undefined) ?? [])
          ackedOperations.add(op.id);
      }

      function unexpected(what: string, answer: Answer) {
        report.halfApplied++;
        // A 500 is explained only in the server's log.
        const logged =
          answer.status >= 500
            ? ` (server log: ${running
                .output()
                .split('\n')
                .filter((line) => /error|failed/i.test(line) && !/^(GET|POST|DELETE) /.test(line))
                .slice(-3)
                .join(' | ')
                .slice(0, 1500)})`
            : '';
        problem(
          `${what}: unexpected ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}${logged}`,
        );
      }

      async function create(branch: BranchModel): Promise<boolean> {
        const n = nameSeq++;
        // Some names need quoting in SQL or percent-encoding in the URL.
        const name = pick([`u${n}`, `user ${n}`, `Ünïcödé-${n}`, `a.b-${n}`]);
        const role: RoleModel = {
          name,
          present: false,
          password: undefined,
          busy: true,
          pending: undefined,
          touched: true,
          fixed: false,
          retired: [],
        };
        branch.roles.set(name, role);
        const answer = await call('POST', rolePath(branch), { role: { name } });
        role.busy = false;
        if (!answer) {
          role.pending = 'create';
          report.unanswered++;
        } else if (answer.status === 201) {
          role.present = true;
          role.password = (answer.body.role as { password: string }).password;
          branch.committed++;
          report.acknowledged.creates++;
          acked(answer.body);
        } else if (answer.status === 423) {
          report.refused++;
          return true;
        } else unexpected(`create ${name}`, answer);
        return false;
      }

      async function reset(branch: BranchModel, role: RoleModel): Promise<boolean> {
        role.busy = true;
        const answer = await call('POST', `${rolePath(branch, role.name)}/reset_password`);
        role.busy = false;
        role.touched = true;
        if (!answer) {
          role.pending = 'reset';
          report.unanswered++;
        } else if (answer.status === 200) {
          if (role.password) role.retired.push(role.password);
          role.password = (answer.body.role as { password: string }).password;
          branch.committed++;
          report.acknowledged.resets++;
          acked(answer.body);
        } else if (answer.status === 423) {
          report.refused++;
          return true;
        } else unexpected(`reset ${role.name}`, answer);
        return false;
      }

      async function remove(branch: BranchModel, role: RoleModel): Promise<boolean> {
        role.busy = true;
        const answer = await call('DELETE', rolePath(branch, role.name));
        role.busy = false;
        role.touched = true;
        if (!answer) {
          role.pending = 'delete';
          report.unanswered++;
        } else if (answer.status === 200) {
          role.present = false;
          if (role.password) branch.deleted.push({ name: role.name, password: role.password });
          branch.committed++;
          report.acknowledged.deletes++;
          acked(answer.body);
        } else if (answer.status === 423) {
          report.refused++;
          return true;
        } else unexpected(`delete ${role.name}`, answer);
        return false;
      }
    }

    /** Looks at the restarted server as a client would and settles every model entry. */
    async function verify(afterRestart: boolean) {
      await checkUnfinished(0);
      const projectIds = [...new Set(branches.map((b) => b.projectId))];
      const newOperations = new Map<string, Operation[]>();
      await Promise.all(
        projectIds.map(async (id) =>
          newOperations.set(id, await newOperationsOf(id, afterRestart)),
        ),
      );
      for (const ops of newOperations.values()) {
        for (const op of ops) {
          seenOperations.add(op.id);
          ackedOperations.delete(op.id);
        }
      }
      // Postgres is compared once it has applied everything the store holds.
      if (computes) await checkUnfinished(COMPUTE_OPERATIONS_WAIT_MS);
      if (ackedOperations.size) {
        report.lost += ackedOperations.size;
        problem(
          `operations of acknowledged changes missing after restart: ${[...ackedOperations].slice(0, 5).join(', ')}`,
        );
        ackedOperations.clear();
      }
      await Promise.all(
        branches.map((branch) => verifyBranch(branch, newOperations.get(branch.projectId)!)),
      );
    }

    async function verifyBranch(branch: BranchModel, newOperations: Operation[]) {
      const where = `kill ${report.kills}, branch ${branch.branchId}`;
      const rolesPath = `/projects/${branch.projectId}/branches/${branch.branchId}/roles`;
      const { roles } = (await must('GET', rolesPath, 200)) as { roles: { name: string }[] };
      const names = new Set(roles.map((r) => r.name));
      if (names.size !== roles.length) {
        report.halfApplied++;
        problem(`${where}: a role is listed twice`);
      }
      for (const name of names) {
        if (!branch.roles.has(name)) {
          report.halfApplied++;
          problem(`${where}: role ${JSON.stringify(name)} exists but was never created`);
        }
      }
      const checks: Promise<void>[] = [];
      for (const role of branch.roles.values()) {
        const listed = names.has(role.name);
        const label = `${where}, role ${JSON.stringify(role.name)}`;
        switch (role.pending) {
          case 'create':
            if (listed) {
              role.present = true;
              branch.committed++;
              report.unansweredApplied++;
            }
            break;
          case 'delete':
            if (!listed) {
              role.present = false;
              if (role.password) branch.deleted.push({ name: role.name, password: role.password });
              branch.committed++;
              report.unansweredApplied++;
            }
            break;
          case 'reset':
          case undefined:
            if (role.present && !listed) {
              report.lost++;
              problem(`${label}: acknowledged as present, but gone`);
              role.present = false;
            } else if (!role.present && listed) {
              // An acknowledged delete undone, or a refused create applied.
              report.lost++;
              problem(`${label}: deleted or refused, but present`);
              role.present = true;
            }
        }
        if (role.present && !role.fixed && (role.touched || role.pending)) {
          // The password is the last acknowledged one (or, after a reset the kill cut off, possibly a new one).
          const pending = role.pending;
          checks.push(
            must('GET', `${rolesPath}/${encodeURIComponent(role.name)}/reveal_password`, 200).then(
              (body) => {
                const password = (body as { password: string }).password;
                if (pending === 'reset' && password !== role.password) {
                  if (role.password) role.retired.push(role.password);
                  branch.committed++;
                  report.unansweredApplied++;
                } else if (pending !== 'create' && password !== role.password) {
                  report.lost++;
                  problem(`${label}: the password is not the one last acknowledged`);
                }
                role.password = password;
              },
            ),
          );
        }
      }
      await Promise.all(checks);
      if (computes) await comparePostgres(branch, [...names]);
      for (const role of branch.roles.values()) {
        role.pending = undefined;
        role.touched = false;
        role.retired = [];
        if (!role.present) branch.roles.delete(role.name);
      }
      branch.deleted = [];
      const configOps = newOperations.filter(
        (op) => op.branch_id === branch.branchId && op.action === 'apply_config',
      ).length;
      if (configOps !== branch.committed) {
        report.halfApplied++;
        problem(
          `${where}: ${branch.committed} changes took effect but ${configOps} apply_config operations were recorded`,
        );
      }
      branch.committed = 0;
    }

    /** Postgres against the store for one branch, its operations finished (computes). */
    async function comparePostgres(branch: BranchModel, listed: string[]) {
      if (!branch.owner) throw new Error(`no owner password for ${branch.branchId}`);
      const mustLogIn: Credentials[] = [branch.owner];
      const mustBeRefused: Credentials[] = [...branch.deleted];
      for (const role of branch.roles.values()) {
        if (role.present && !role.fixed && role.password && (role.touched || role.pending))
          mustLogIn.push({ name: role.name, password: role.password });
        for (const password of role.retired) mustBeRefused.push({ name: role.name, password });
      }
      report.postgresChecks++;
      let found: string[];
      try {
        // The host as the API reports it now (a port another program took moves).
        const { endpoints } = (await must(
          'GET',
          `/projects/${branch.projectId}/branches/${branch.branchId}/endpoints`,
          200,
        )) as { endpoints: { host: string; type: string }[] };
        const host = endpoints.find((e) => e.type === 'read_write')?.host ?? branch.host;
        if (host !== branch.host) {
          progress(`endpoint of ${branch.branchId} moved: ${branch.host} -> ${host}`);
          branch.host = host;
        }
        found = await disagreements({
          host: branch.host,
          owner: branch.owner,
          listed,
          mustLogIn,
          mustBeRefused,
        });
      } catch (err) {
        found = [`Postgres could not be read: ${(err as Error).message}`];
      }
      report.postgresDisagreements += found.length;
      for (const text of found)
        problem(`kill ${report.kills}, branch ${branch.branchId}, Postgres: ${text}`);
    }

    /** The project's operations not seen before (newest first, following the pages back). */
    async function newOperationsOf(projectId: string, afterRestart: boolean) {
      const found: Operation[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = (await must(
          'GET',
          `/projects/${projectId}/operations?limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
          200,
        )) as {
          operations: Operation[];
          pagination?: { cursor: string };
        };
        const unseen = page.operations.filter((op) => !seenOperations.has(op.id));
        found.push(...unseen);
        if (unseen.length < page.operations.length || !page.operations.length || !page.pagination)
          break;
        cursor = page.pagination.cursor;
      }
      for (const op of found) {
        if (op.status === 'scheduling' || op.status === 'running') {
          // Before the load resumes, every operation still running was started before the kill.
          if (afterRestart) report.operationsInFlightAtRestart++;
          unfinished.set(op.id, projectId);
        } else if (op.status === 'failed')
          problem(`operation ${op.id} failed without any fault injected: ${op.error ?? ''}`);
      }
      return found;
    }

    /** Operations seen running earlier must end as finished; `waitMs` waits for them. */
    async function checkUnfinished(waitMs: number) {
      const deadline = performance.now() + waitMs;
      for (;;) {
        for (const [id, projectId] of unfinished) {
          const { operation } = (await must(
            'GET',
            `/projects/${projectId}/operations/${id}`,
            200,
          )) as { operation: Operation };
          if (operation.status === 'finished') unfinished.delete(id);
          else if (operation.status === 'failed') {
            unfinished.delete(id);
            problem(`operation ${id} failed without any fault injected: ${operation.error ?? ''}`);
          }
        }
        if (!unfinished.size || performance.now() > deadline) break;
        await sleep(50);
      }
    }
  }
}
