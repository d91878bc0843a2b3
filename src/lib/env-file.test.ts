import { describe, expect, it } from 'vitest';
import { buildEnvFile, connectionUrl, quoteEnvValue } from '@/lib/env-file';

describe('quoteEnvValue', () => {
  it('single-quotes and escapes single quotes shell-style', () => {
    expect(quoteEnvValue('abc')).toBe("'abc'");
    expect(quoteEnvValue("it's")).toBe(`'it'\\''s'`);
    expect(quoteEnvValue('$HOME `x` "y" \\')).toBe(`'$HOME \`x\` "y" \\'`);
  });
});

describe('buildEnvFile', () => {
  const details = {
    host: 'ep-cool-darkness-123456.us-east-2.aws.neon.tech',
    database: 'neondb',
    user: 'sally',
    password: 'FLfASd8mbKO9',
  };

  it('holds every variable a Postgres client reads', () => {
    expect(buildEnvFile(details)).toBe(
      [
        "PGHOST='ep-cool-darkness-123456.us-east-2.aws.neon.tech'",
        "PGPORT='5432'",
        "PGDATABASE='neondb'",
        "PGUSER='sally'",
        "PGPASSWORD='FLfASd8mbKO9'",
        "DATABASE_URL='postgresql://sally:FLfASd8mbKO9@ep-cool-darkness-123456.us-east-2.aws.neon.tech:5432/neondb?sslmode=require'",
        '',
      ].join('\n'),
    );
  });

  it('percent-encodes URL parts so any name or password survives', () => {
    const url = connectionUrl({
      ...details,
      user: 'My User',
      password: "p@ss:w/rd?#'",
      database: 'my db',
    });
    expect(url).toBe(
      "postgresql://My%20User:p%40ss%3Aw%2Frd%3F%23'@ep-cool-darkness-123456.us-east-2.aws.neon.tech:5432/my%20db?sslmode=require",
    );
    const parsed = new URL(url);
    expect(decodeURIComponent(parsed.username)).toBe('My User');
    expect(decodeURIComponent(parsed.password)).toBe("p@ss:w/rd?#'");
  });

  it('round-trips through a POSIX shell', async () => {
    const { execFileSync } = await import('node:child_process');
    const password = `a'b"c$d\`e\\f g`;
    const text = buildEnvFile({ ...details, user: "o'neil", password });
    const out = execFileSync(
      'sh',
      ['-c', `${text.replaceAll('\n', ';')} printf '%s\\n%s' "$PGUSER" "$PGPASSWORD"`],
      {
        encoding: 'utf8',
      },
    );
    expect(out).toBe(`o'neil\n${password}`);
  });
});
