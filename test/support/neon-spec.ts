import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parse } from 'yaml';

type NeonSpec = {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, unknown> };
};

let cached: NeonSpec | undefined;

/**
 * Neon's OpenAPI document, as shipped in the installed @neondatabase/api-client package.
 * Parsed once per process (the YAML is large); callers must not modify it.
 */
export function loadNeonSpec(): NeonSpec {
  if (!cached) {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('@neondatabase/api-client/package.json'));
    cached = parse(
      fs.readFileSync(path.join(dir, 'public-v2-for-users.gen.yaml'), 'utf8'),
    ) as NeonSpec;
  }
  return cached;
}

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every path of the spec with its methods (upper case, sorted), sorted by path. */
export function specPaths(): [string, string[]][] {
  const spec = loadNeonSpec();
  return Object.entries(spec.paths)
    .map(([p, item]): [string, string[]] => [
      p,
      Object.keys(item)
        .filter((m) => HTTP_METHODS.includes(m))
        .map((m) => m.toUpperCase())
        .sort(),
    ])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
