/**
 * The load generator, in its own process so that it does not share an event loop with
 * the benchmark runner (it still shares the machine's cores with the server under test).
 * It takes jobs over IPC from lib/load.ts and answers with autocannon's figures.
 */
import autocannon, { type AutocannonRequest } from 'autocannon';
import type { LoadJob, LoadResult } from './lib/load.ts';

function requestsFor(job: LoadJob): AutocannonRequest[] | undefined {
  const { vary } = job;
  if (!vary) return undefined;
  // One counter for all connections: every request gets its own role name.
  let next = 0;
  const name = () => `${vary.prefix}_${next++ % vary.count}`;
  const headers = { ...job.headers, 'content-type': 'application/json' };
  const setup: Record<
    NonNullable<LoadJob['vary']>['kind'],
    (req: AutocannonRequest) => AutocannonRequest
  > = {
    create: (req) => ({
      ...req,
      method: 'POST',
      path: vary.rolesPath,
      headers,
      body: JSON.stringify({ role: { name: name() } }),
    }),
    reset: (req) => ({
      ...req,
      method: 'POST',
      path: `${vary.rolesPath}/${name()}/reset_password`,
      headers: job.headers,
    }),
    delete: (req) => ({
      ...req,
      method: 'DELETE',
      path: `${vary.rolesPath}/${name()}`,
      headers: job.headers,
    }),
  };
  return [{ setupRequest: setup[vary.kind] }];
}

async function run(job: LoadJob): Promise<LoadResult> {
  const result = await autocannon({
    url: job.url,
    connections: job.connections,
    ...(job.amount ? { amount: job.amount } : { duration: job.durationS }),
    headers: job.headers,
    requests: requestsFor(job),
    timeout: 30,
  });
  const statuses: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {}))
    statuses[code] = Number(count);
  return {
    requests: result.requests.total,
    durationS: result.duration,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    statuses,
  };
}

process.on('message', (msg: { id: number; job: LoadJob }) => {
  run(msg.job).then(
    (result) => process.send!({ id: msg.id, result }),
    (err: unknown) =>
      process.send!({ id: msg.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
