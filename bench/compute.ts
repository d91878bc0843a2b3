/**
 * Figures for the compute engine (server/compute): `npx tsx bench/compute.ts`.
 * Prints one JSON object; every figure is measured here, on this machine, now (with its load).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { ComputeManager, allocatePort } from '../server/compute/compute-manager.ts';

const ROLE = { name: 'bench', password: 'bench-pw-Aa9' };

function client(port: number, database = 'app') {
  return new pg.Client({
    host: '127.0.0.1',
    port,
    user: ROLE.name,
    password: ROLE.password,
    database,
    ssl: { rejectUnauthorized: false },
    enableChannelBinding: true,
  });
}

async function firstQuery(port: number, sql = 'select 1'): Promise<number> {
  const began = performance.now();
  const c = client(port);
  await c.connect();
  await c.query(sql);
  const ms = performance.now() - began;
  await c.end();
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function du(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
}

const round = (n: number) => Math.round(n);
const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'compute-bench-'));
  const manager = await ComputeManager.open({
    dataDir,
    defaultSuspendTimeoutSeconds: 0,
    log: (e) => e.type === 'branched' && console.error(e.branchId, e.message),
  });
  const figures: Record<string, unknown> = { load_before: os.loadavg().map((n) => n.toFixed(2)) };
  try {
    let began = performance.now();
    await manager.ensureBranch('br-root');
    await manager.start('br-root');
    figures.initdb_and_first_start_ms = round(performance.now() - began);

    const port = await allocatePort();
    await manager.setEndpoint('br-root', { port, suspendTimeoutSeconds: 0 });
    began = performance.now();
    await manager.apply('br-root', {
      roles: [ROLE],
      databases: [{ name: 'app', owner: ROLE.name }],
    });
    figures.apply_create_role_and_database_ms = round(performance.now() - began);
    figures.create_role_then_first_login_ms = round(await firstQuery(port));

    const idle = manager.usage('br-root');
    figures.running_idle = {
      processes: idle.pids.length,
      rss_mib: mib(idle.rssBytes),
      pss_mib: mib(idle.pssBytes),
    };
    const session = client(port);
    await session.connect();
    await session.query('select count(*) from pg_class');
    const busy = manager.usage('br-root');
    figures.running_one_session = {
      processes: busy.pids.length,
      rss_mib: mib(busy.rssBytes),
      pss_mib: mib(busy.pssBytes),
    };

    began = performance.now();
    await session.query(
      'create table filler as select g as id, repeat(md5(g::text), 3) as body from generate_series(1, 400000) g',
    );
    const size = await session.query<{ size: string }>(
      "select pg_size_pretty(pg_database_size('app')) as size",
    );
    figures.data = { database_size: size.rows[0]!.size, load_ms: round(performance.now() - began) };
    await session.end();

    const wakes: number[] = [];
    for (let i = 0; i < 5; i++) {
      await manager.suspend('br-root');
      wakes.push(await firstQuery(port));
    }
    figures.wake_from_idle_to_first_query_ms = {
      median: round(median(wakes)),
      all: wakes.map(round),
    };
    const warm: number[] = [];
    for (let i = 0; i < 5; i++) warm.push(await firstQuery(port));
    figures.connect_to_running_compute_ms = round(median(warm));

    const lsn = await manager.currentLsn('br-root');
    const heads: number[] = [];
    for (let i = 0; i < 3; i++) {
      began = performance.now();
      await manager.createBranch(`br-head-${i}`, { parent: 'br-root' });
      const childPort = await allocatePort();
      await manager.setEndpoint(`br-head-${i}`, { port: childPort, suspendTimeoutSeconds: 0 });
      await firstQuery(childPort, 'select count(*) from filler');
      heads.push(performance.now() - began);
    }
    figures.branch_from_head_to_first_query_ms = {
      median: round(median(heads)),
      all: heads.map(round),
    };

    began = performance.now();
    await manager.createBranch('br-at-lsn', { parent: 'br-root', atLsn: lsn });
    const pitrPort = await allocatePort();
    await manager.setEndpoint('br-at-lsn', { port: pitrPort, suspendTimeoutSeconds: 0 });
    await firstQuery(pitrPort, 'select count(*) from filler');
    figures.branch_at_lsn_to_first_query_ms = round(performance.now() - began);

    const computes = path.join(dataDir, 'computes');
    const perBranch = (id: string) => {
      const root = path.join(computes, id);
      return {
        total_mib: mib(du(root)),
        pgdata_mib: mib(du(path.join(root, 'pgdata'))),
        base_mib: mib(du(path.join(root, 'base'))),
        wal_archive_mib: mib(du(path.join(root, 'wal-archive'))),
      };
    };
    figures.disk = {
      root_with_data: perBranch('br-root'),
      head_branch: perBranch('br-head-0'),
      lsn_branch: perBranch('br-at-lsn'),
    };
  } finally {
    await manager.stopAll();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  figures.load_after = os.loadavg().map((n) => n.toFixed(2));
  console.log(JSON.stringify(figures, null, 2));
}

await main();
