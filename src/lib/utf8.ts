const encoder = new TextEncoder();

/** Postgres limits identifiers by bytes, not characters, so "é" counts twice. */
export function utf8ByteLength(text: string): number {
  return encoder.encode(text).length;
}
