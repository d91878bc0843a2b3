import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresBinaries } from '../server/compute/postgres-binaries.ts';
import { postgresUser } from '../server/compute/os-user.ts';
import { openEngine, queryAs } from './support/compute-helpers.ts';

// A clone under a private directory (mkdtemp: 0700): the Postgres user could not reach the
// programs, and every initdb failed with `spawn EACCES`. Only root runs Postgres as another
// user, so only then is there anything to test.
const asOtherUser = postgresUser().uid !== undefined;
const privateParent = fs.mkdtempSync(path.join(os.tmpdir(), 'private-clone-'));
const realNative = path.dirname(postgresBinaries().binDir);
fs.symlinkSync(realNative, path.join(privateParent, 'native'));
const binDir = path.join(privateParent, 'native', 'bin');
const previous = process.env.NEON_LOCAL_PG_BIN;
const USER = { name: 'private_bin', password: 'private-pw-Aa9' };
let engine: Awaited<ReturnType<typeof openEngine>> | undefined;

afterAll(async () => {
  await engine?.close();
  if (previous === undefined) delete process.env.NEON_LOCAL_PG_BIN;
  else process.env.NEON_LOCAL_PG_BIN = previous;
  fs.rmSync(privateParent, { recursive: true, force: true });
}, 60_000);

describe.runIf(asOtherUser)('PostgreSQL programs under a private directory', () => {
  it('the engine makes their parent searchable, says so once, and the compute runs', async () => {
    expect(fs.statSync(privateParent).mode & 0o777).toBe(0o700);
    process.env.NEON_LOCAL_PG_BIN = binDir;
    engine = await openEngine({ desiredState: () => ({ roles: [USER], databases: [] }) });

    const port = await engine.rootBranch('br-private-bin');
    const [row] = await queryAs(port, USER.name, USER.password, 'select current_user as u');
    expect(row).toEqual({ u: USER.name });
    const notes = engine.events.filter((e) => e.message.includes(privateParent));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.message).toContain('searchable (o+x)');
    expect(fs.statSync(privateParent).mode & 0o777).toBe(0o701);
  }, 120_000);
});
