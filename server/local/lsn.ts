/**
 * Postgres LSNs as Neon prints them: the high and low 32 bits in upper-case hex, unpadded
 * (`0/1DE2850` in Neon's spec examples; Postgres's own `%X/%X`).
 */
export function formatLsn(lsn: number): string {
  const high = Math.floor(lsn / 2 ** 32);
  const low = lsn % 2 ** 32;
  return `${high.toString(16).toUpperCase()}/${low.toString(16).toUpperCase()}`;
}

/** Parses `X/X` (either half 1–8 hex digits); returns undefined when it is not an LSN. */
export function parseLsn(text: string): number | undefined {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
  if (!match) return undefined;
  return parseInt(match[1]!, 16) * 2 ** 32 + parseInt(match[2]!, 16);
}
