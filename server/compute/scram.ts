import crypto from 'node:crypto';

/**
 * SCRAM-SHA-256 verifiers computed here, so a plaintext password is never sent to Postgres
 * (where a failing statement could log it) — Postgres stores a verifier as given, the same
 * way `\password` in psql and Neon's control plane do.
 * Format: `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (RFC 5803).
 */
const ITERATIONS = 4096; // Postgres's default scram_iterations

export function isScramVerifier(text: string): boolean {
  return /^SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/.test(text);
}

export function scramVerifier(password: string, salt = crypto.randomBytes(16)): string {
  const verifier = verifierFor(password, salt, ITERATIONS);
  remember(matchOf(verifier, password));
  return verifier;
}

/**
 * Pairs (verifier, password) already found to match, by an HMAC under a key of this process
 * (no password kept): every apply checks every role of the branch, and one PBKDF2 of 4096
 * rounds costs milliseconds of the event loop, so only new or changed passwords pay it.
 */
const MATCH_KEY = crypto.randomBytes(32);
const knownMatches = new Set<string>();
const MAX_KNOWN_MATCHES = 100_000;

/** Whether `password` is the one `verifier` was made from (so an unchanged password is left alone). */
export function verifierMatches(verifier: string, password: string): boolean {
  const pair = matchOf(verifier, password);
  if (knownMatches.has(pair)) return true;
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!match) return false;
  const expected = verifierFor(password, Buffer.from(match[2]!, 'base64'), Number(match[1]));
  const [a, b] = [Buffer.from(expected), Buffer.from(verifier)];
  const matches = a.length === b.length && crypto.timingSafeEqual(a, b);
  if (matches) remember(pair);
  return matches;
}

function matchOf(verifier: string, password: string): string {
  return crypto
    .createHmac('sha256', MATCH_KEY)
    .update(verifier)
    .update('\0')
    .update(password)
    .digest('base64');
}

function remember(pair: string): void {
  if (knownMatches.size >= MAX_KNOWN_MATCHES) knownMatches.clear();
  knownMatches.add(pair);
}

function verifierFor(password: string, salt: Buffer, iterations: number): string {
  const salted = crypto.pbkdf2Sync(saslPrep(password), salt, iterations, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  const storedKey = crypto.createHash('sha256').update(clientKey).digest();
  const serverKey = hmac(salted, 'Server Key');
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

function hmac(key: Buffer, text: string): Buffer {
  return crypto.createHmac('sha256', key).update(text).digest();
}

// RFC 3454 tables C.1.2 and B.1 (the ones that matter for real passwords).
const NON_ASCII_SPACES = new Set([
  0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009,
  0x200a, 0x200b, 0x202f, 0x205f, 0x3000,
]);
const MAPPED_TO_NOTHING = new Set([
  0xad, 0x34f, 0x1806, 0x180b, 0x180c, 0x180d, 0x200c, 0x200d, 0x2060, 0xfe00, 0xfe01, 0xfe02,
  0xfe03, 0xfe04, 0xfe05, 0xfe06, 0xfe07, 0xfe08, 0xfe09, 0xfe0a, 0xfe0b, 0xfe0c, 0xfe0d, 0xfe0e,
  0xfe0f, 0xfeff,
]);

/**
 * The common part of SASLprep (RFC 4013) that libpq and Postgres apply: non-ASCII spaces
 * become spaces, "mapped to nothing" characters go, then NFKC. ASCII passwords (all Neon
 * generates) are unchanged. Like Postgres, fall back to the raw string when the result
 * would hold prohibited characters.
 */
function saslPrep(password: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(password)) return password;
  const mapped = [...password]
    .filter((char) => !MAPPED_TO_NOTHING.has(char.codePointAt(0)!))
    .map((char) => (NON_ASCII_SPACES.has(char.codePointAt(0)!) ? ' ' : char))
    .join('')
    .normalize('NFKC');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\ufff9-\ufffd]/.test(mapped)) return password;
  return mapped;
}
