/**
 * `npm run smoke:neon -- --project-id <id> [--branch-id <id>]`: checks, against a real Neon
 * account, the calls the console makes. It lists organizations, projects, branches and users,
 * then creates one throwaway user `console_smoke_<time>`, resets its password and deletes it.
 * It touches no other user, and refuses to run without an explicit project id.
 *
 * Reads NEON_API_KEY (required, never printed) and NEON_API_URL (default Neon's own API).
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const DEFAULT_API_URL = 'https://console.neon.tech/api/v2';
// Statuses that prove nothing happened and ask to come back later (Neon's clients retry them).
const RETRYABLE = new Set([423, 429, 503]);

export interface SmokeOptions {
  apiUrl: string;
  apiKey: string;
  projectId: string;
  branchId?: string;
  print: (line: string) => void;
  /** Default: the current time. Names the throwaway user. */
  now?: Date;
  /** How long to wait between retries of a 423/429/503 (ms), and how many times. */
  retryDelayMs?: number;
  retries?: number;
}

export interface StepResult {
  step: string;
  ok: boolean;
  detail: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function smokeUserName(now: Date): string {
  return `console_smoke_${now.toISOString().replace(/\D/g, '').slice(0, 14)}`;
}

export async function runSmoke(
  options: SmokeOptions,
): Promise<{ ok: boolean; steps: StepResult[] }> {
  const base = options.apiUrl.replace(/\/+$/, '');
  const retries = options.retries ?? 20;
  const delay = options.retryDelayMs ?? 3000;
  const steps: StepResult[] = [];
  const record = (step: string, ok: boolean, detail: string) => {
    steps.push({ step, ok, detail });
    options.print(`${ok ? '✓' : '✗'} ${step}: ${detail}`);
    return ok;
  };

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'manual',
      });
      const text = await response.text();
      if (response.ok) return (text ? JSON.parse(text) : undefined) as T;
      let message = text.slice(0, 300);
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // Not JSON: keep the text.
      }
      if (RETRYABLE.has(response.status) && attempt < retries) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        continue;
      }
      throw new HttpError(response.status, `${method} ${path}: ${response.status} ${message}`);
    }
  }
  const problem = (error: unknown) => (error instanceof Error ? error.message : String(error));
  const absent = (error: unknown) =>
    error instanceof HttpError && [403, 404, 501].includes(error.status);

  const project = encodeURIComponent(options.projectId);

  // Who the key is; optional, as not every server (or key) answers it.
  try {
    const auth = await call<{ auth_method?: string; account_id?: string }>('GET', '/auth');
    record('key', true, `${auth.auth_method ?? 'unknown kind'} of ${auth.account_id ?? '?'}`);
  } catch (error) {
    if (!record('key', absent(error), absent(error) ? 'GET /auth not available' : problem(error)))
      return { ok: false, steps };
  }

  try {
    const { organizations } = await call<{ organizations: Array<{ id: string; name: string }> }>(
      'GET',
      '/users/me/organizations',
    );
    record(
      'organizations',
      true,
      organizations.length ? organizations.map((o) => `${o.name} (${o.id})`).join(', ') : 'none',
    );
  } catch (error) {
    record(
      'organizations',
      absent(error),
      absent(error) ? 'not listable with this key' : problem(error),
    );
  }

  let orgId: string | undefined;
  try {
    const { project: p } = await call<{ project: { name: string; org_id?: string } }>(
      'GET',
      `/projects/${project}`,
    );
    orgId = p.org_id;
    record('project', true, `${p.name} (${options.projectId})${orgId ? ` in ${orgId}` : ''}`);
  } catch (error) {
    record('project', false, problem(error));
    return { ok: false, steps };
  }

  try {
    const query = orgId ? `?limit=10&org_id=${encodeURIComponent(orgId)}` : '?limit=10';
    const { projects } = await call<{ projects: unknown[] }>('GET', `/projects${query}`);
    record('projects', true, `${projects.length} on the first page of ${orgId ?? 'the account'}`);
  } catch (error) {
    record(
      'projects',
      absent(error),
      absent(error) ? 'not listable with this key' : problem(error),
    );
  }

  let branchId = options.branchId;
  try {
    const branches: Array<{ id: string; name: string; default?: boolean }> = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await call<{
        branches: typeof branches;
        pagination?: { next?: string };
      }>(
        'GET',
        `/projects/${project}/branches?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      branches.push(...page.branches);
      const next = page.pagination?.next;
      if (!next || next === cursor || page.branches.length === 0) break;
      cursor = next;
    }
    const chosen = branchId
      ? branches.find((b) => b.id === branchId)
      : branches.find((b) => b.default);
    if (!chosen) throw new Error(branchId ? `no branch ${branchId}` : 'no default branch');
    branchId = chosen.id;
    record('branches', true, `${branches.length}; using ${chosen.name} (${chosen.id})`);
  } catch (error) {
    record('branches', false, problem(error));
    return { ok: false, steps };
  }

  const rolesPath = `/projects/${project}/branches/${encodeURIComponent(branchId)}/roles`;
  const name = smokeUserName(options.now ?? new Date());
  const listNames = async () =>
    (await call<{ roles: Array<{ name: string }> }>('GET', rolesPath)).roles.map((r) => r.name);
  try {
    const names = await listNames();
    record('users', true, `${names.length} on the branch`);
    if (names.includes(name)) {
      record('create', false, `a user named ${name} already exists; not touching it`);
      return { ok: false, steps };
    }
  } catch (error) {
    record('users', false, problem(error));
    return { ok: false, steps };
  }

  const rolePath = `${rolesPath}/${encodeURIComponent(name)}`;
  let created = false;
  try {
    const { role } = await call<{ role: { name: string; password?: string } }>('POST', rolesPath, {
      role: { name },
    });
    created = true;
    record(
      'create',
      true,
      `${role.name}, password received (${role.password?.length ?? 0} characters)`,
    );
    const { role: reset } = await call<{ role: { password?: string } }>(
      'POST',
      `${rolePath}/reset_password`,
    );
    record(
      'reset password',
      true,
      `new password received (${reset.password?.length ?? 0} characters)`,
    );
  } catch (error) {
    record(created ? 'reset password' : 'create', false, problem(error));
  }

  // Always try to remove what this run may have made, even after a failed step.
  try {
    await call('DELETE', rolePath);
    const gone = !(await listNames()).includes(name);
    record('delete', gone, gone ? `${name} is gone` : `${name} is still listed`);
  } catch (error) {
    const neverMade = !created && error instanceof HttpError && error.status === 404;
    record('delete', neverMade, neverMade ? 'nothing to delete' : problem(error));
  }

  return { ok: steps.every((s) => s.ok), steps };
}

async function main() {
  const { values } = parseArgs({
    options: { 'project-id': { type: 'string' }, 'branch-id': { type: 'string' } },
  });
  const apiKey = process.env.NEON_API_KEY;
  const projectId = values['project-id'];
  if (!projectId) {
    process.stderr.write(
      'smoke:neon needs an explicit project: npm run smoke:neon -- --project-id <id> [--branch-id <id>]\n' +
        'It creates, resets and deletes one user console_smoke_<time> on that project and touches no other.\n',
    );
    process.exit(2);
  }
  if (!apiKey) {
    process.stderr.write('smoke:neon needs NEON_API_KEY (a Neon API key; it is never printed).\n');
    process.exit(2);
  }
  const apiUrl = process.env.NEON_API_URL || DEFAULT_API_URL;
  const print = (line: string) => process.stdout.write(`${line}\n`);
  print(`smoke:neon against ${apiUrl}, project ${projectId}`);
  const { ok, steps } = await runSmoke({
    apiUrl,
    apiKey,
    projectId,
    branchId: values['branch-id'],
    print,
  });
  print(`${steps.filter((s) => s.ok).length} of ${steps.length} steps worked`);
  process.exit(ok ? 0 : 1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`smoke:neon: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
