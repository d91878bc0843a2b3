import { connectionUrl, shellQuote, type ConnectionDetails } from '@/lib/connection-strings';
import { buildEnvFile } from '@/lib/env-file';

export type ConnectionFormat = 'url' | 'psql' | 'env' | 'node-postgres' | 'prisma' | 'python';

export const CONNECTION_FORMATS: { id: ConnectionFormat; label: string }[] = [
  { id: 'url', label: 'Connection string' },
  { id: 'psql', label: 'psql' },
  { id: 'env', label: '.env' },
  { id: 'node-postgres', label: 'Node.js (node-postgres)' },
  { id: 'prisma', label: 'Prisma' },
  { id: 'python', label: 'Python (psycopg)' },
];

/**
 * The text of one format. The client snippets read DATABASE_URL from the environment
 * (the .env format), so a password is never pasted into source code.
 */
export function formatConnection(format: ConnectionFormat, details: ConnectionDetails): string {
  switch (format) {
    case 'url':
      return connectionUrl(details);
    case 'psql':
      return `psql ${shellQuote(connectionUrl(details))}`;
    case 'env':
      return buildEnvFile(details);
    case 'node-postgres':
      return [
        "import pg from 'pg';",
        '',
        '// DATABASE_URL as in the .env format',
        'const client = new pg.Client({ connectionString: process.env.DATABASE_URL });',
        'await client.connect();',
        "const { rows } = await client.query('SELECT version()');",
        'console.log(rows[0].version);',
        'await client.end();',
        '',
      ].join('\n');
    case 'prisma':
      return [
        '// schema.prisma; DATABASE_URL as in the .env format',
        'datasource db {',
        '  provider = "postgresql"',
        '  url      = env("DATABASE_URL")',
        '}',
        '',
      ].join('\n');
    case 'python':
      return [
        'import os',
        'import psycopg',
        '',
        '# DATABASE_URL as in the .env format',
        'with psycopg.connect(os.environ["DATABASE_URL"]) as conn:',
        '    print(conn.execute("SELECT version()").fetchone()[0])',
        '',
      ].join('\n');
  }
}

/** Whether the format's text holds the password (the snippets read it from the environment). */
export function showsPassword(format: ConnectionFormat): boolean {
  return format === 'url' || format === 'psql' || format === 'env';
}
