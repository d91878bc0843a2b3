import fs from 'node:fs';
import path from 'node:path';
import { giveToPostgres } from './os-user.ts';

export const CERT_FILE = 'server.crt';
export const KEY_FILE = 'server.key';

/**
 * Writes a self-signed certificate for 127.0.0.1/localhost into a data directory, unless it
 * has one. P-256 keeps generation fast (a few ms); the key is 0600 and owned by the
 * Postgres user, as Postgres demands. The certificate is also what our own admin sessions
 * verify the server against.
 */
export async function ensureCertificate(pgdata: string): Promise<string> {
  const certPath = path.join(pgdata, CERT_FILE);
  const keyPath = path.join(pgdata, KEY_FILE);
  if (fs.existsSync(certPath) && fs.existsSync(keyPath)) return fs.readFileSync(certPath, 'utf8');
  const notAfter = new Date();
  notAfter.setFullYear(notAfter.getFullYear() + 10);
  // Loaded here, not at start-up: its X.509 code takes ~100 ms to load, and only a new data
  // directory needs it.
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  fs.writeFileSync(keyPath, pems.private, { mode: 0o600 });
  fs.writeFileSync(certPath, pems.cert, { mode: 0o644 });
  giveToPostgres(keyPath);
  giveToPostgres(certPath);
  return pems.cert;
}
