import { NEON_SPEC_PATHS } from './spec-paths.ts';

/** A path template of Neon's spec and the methods the spec has on it. */
export interface SpecRoute {
  template: string;
  methods: readonly string[];
}

interface Node {
  literals: Map<string, Node>;
  param: Node | undefined;
  route: SpecRoute | undefined;
}

const node = (): Node => ({ literals: new Map(), param: undefined, route: undefined });

/** The spec's templates as a tree of path segments; `{name}` segments are parameters. */
const ROOT = NEON_SPEC_PATHS.reduce((root, [template, methods]) => {
  let at = root;
  for (const segment of template.split('/').slice(1)) {
    if (/^\{[^}]+\}$/.test(segment)) at = at.param ??= node();
    else {
      let next = at.literals.get(segment);
      if (!next) at.literals.set(segment, (next = node()));
      at = next;
    }
  }
  at.route = { template, methods };
  return root;
}, node());

function walk(at: Node, segments: string[], i: number): SpecRoute | undefined {
  if (i === segments.length) return at.route;
  const segment = segments[i]!;
  const literal = at.literals.get(segment);
  const found = literal && walk(literal, segments, i + 1);
  if (found) return found;
  return at.param && segment !== '' ? walk(at.param, segments, i + 1) : undefined;
}

/**
 * The spec route a concrete path under /api/v2 is an instance of (`/projects/abc/branches` →
 * `/projects/{project_id}/branches`), literal segments first, so `/projects/shared` is its own
 * route and not a project called "shared"; undefined for a path Neon's spec does not have.
 */
export function specRoute(path: string): SpecRoute | undefined {
  return path.startsWith('/') ? walk(ROOT, path.split('/').slice(1), 0) : undefined;
}
