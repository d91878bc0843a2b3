import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { parse as dotenvParse } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { buildEnvFile, envEntries, isPortableEnvValue, quoteEnvValue } from '@/lib/env-file';

const details = {
  host: 'ep-cool-darkness-123456.us-east-2.aws.neon.tech',
  database: 'neondb',
  user: 'sally',
  password: 'FLfASd8mbKO9',
};

/** What POSIX sh reads from the file with `. ./file` (dash on Debian). */
function readWithShell(text: string, names: string[]): Record<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'env-file-'));
  try {
    fs.writeFileSync(path.join(dir, 'app.env'), text);
    const script = `. ./app.env; ${names.map((n) => `printf '%s\\0' "$${n}"`).join('; ')}`;
    const out = execFileSync('sh', ['-c', script], { cwd: dir, encoding: 'utf8' });
    const values = out.split('\0');
    return Object.fromEntries(names.map((n, i) => [n, values[i]]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const READERS = {
  sh: (text: string, names: string[]) => readWithShell(text, names),
  'node:util parseEnv': (text: string) => parseEnv(text) as Record<string, string>,
  dotenv: (text: string) => dotenvParse(text),
};

describe('buildEnvFile', () => {
  it('holds libpq’s variables and a URL ending as Neon’s do', () => {
    expect(buildEnvFile(details)).toBe(
      [
        "PGHOST='ep-cool-darkness-123456.us-east-2.aws.neon.tech'",
        "PGPORT='5432'",
        "PGDATABASE='neondb'",
        "PGUSER='sally'",
        "PGPASSWORD='FLfASd8mbKO9'",
        "PGSSLMODE='require'",
        "PGCHANNELBINDING='require'",
        "DATABASE_URL='postgresql://sally:FLfASd8mbKO9@ep-cool-darkness-123456.us-east-2.aws.neon.tech/neondb?sslmode=require&channel_binding=require'",
        '',
      ].join('\n'),
    );
  });

  it('splits a host that carries a port (a local compute) into PGHOST and PGPORT', () => {
    const env = Object.fromEntries(envEntries({ ...details, host: '127.0.0.1:54017' }));
    expect(env.PGHOST).toBe('127.0.0.1');
    expect(env.PGPORT).toBe('54017');
    expect(env.DATABASE_URL).toContain('@127.0.0.1:54017/neondb?');
  });

  // Names Postgres accepts that are hard to quote: spaces, #, =, $, backslashes, quotes, multibyte.
  const portable = [
    "o'brien",
    'My User',
    'a#b',
    'x=y',
    '$HOME `x` "y" \\',
    '  padded  ',
    'ünï日本',
    "it's a #1 (user)",
  ];
  for (const [reader, read] of Object.entries(READERS)) {
    it(`reads back every value unchanged with ${reader}`, () => {
      for (const user of portable) {
        const entries = envEntries({ ...details, user, database: `${user}_db` });
        const names = entries.map(([k]) => k);
        const got = read(buildEnvFile({ ...details, user, database: `${user}_db` }), names);
        expect(got, `user ${JSON.stringify(user)}`).toEqual(Object.fromEntries(entries));
      }
    });
  }

  it('says which values no quoting serves in all readers, and still writes them for the shell', () => {
    const user = `o'brien$x`;
    expect(isPortableEnvValue(user)).toBe(false);
    expect(portable.every(isPortableEnvValue)).toBe(true);
    const text = buildEnvFile({ ...details, user });
    expect(readWithShell(text, ['PGUSER']).PGUSER).toBe(user);
    // Node's reader stops at the second quote of the shell's '\'' form.
    expect(parseEnv(text).PGUSER).not.toBe(user);
    // The URL percent-encodes the name, so DATABASE_URL stays portable.
    const url = Object.fromEntries(envEntries({ ...details, user })).DATABASE_URL;
    expect(dotenvParse(text).DATABASE_URL).toBe(url);
  });
});

describe('quoteEnvValue', () => {
  it('single-quotes, double-quotes a lone apostrophe, and falls back to the shell form', () => {
    expect(quoteEnvValue('abc')).toBe("'abc'");
    expect(quoteEnvValue("it's")).toBe(`"it's"`);
    expect(quoteEnvValue(`it's $x`)).toBe(`'it'\\''s $x'`);
  });
});
