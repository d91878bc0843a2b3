// Writes server/local/spec-paths.ts from Neon's spec, so the server knows which paths answer 501.
import fs from 'node:fs';
import { specPaths } from '../test/support/neon-spec.ts';

const rows = specPaths().map(
  ([p, methods]) => `  ['${p}', [${methods.map((m) => `'${m}'`).join(', ')}]],`,
);
const text = [
  "// Generated from Neon's OpenAPI spec (@neondatabase/api-client public-v2-for-users.gen.yaml).",
  '// Regenerate with `npm run gen:spec-paths`; a test checks it still matches the installed spec.',
  'export const NEON_SPEC_PATHS: readonly (readonly [string, readonly string[]])[] = [',
  ...rows,
  '];',
  '',
].join('\n');
fs.writeFileSync(new URL('../server/local/spec-paths.ts', import.meta.url), text);
