/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self
 * time, and the heaviest frames counted inclusively (a flame graph's widest boxes).
 *
 *   npx tsx bench/profile-summary.ts file.cpuprofile [top=25] [filter]
 */
import fs from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg, filter] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.ts file.cpuprofile [top] [filter]');
const top = Number(topArg ?? 25);
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const label = (n: Node) => {
  const url = n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/perf\//, '');
  return `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
};

// Time per sample: the delta to the next one.
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i + 1] ?? 0;
  total += dt;
  const node = byId.get(id)!;
  self.set(label(node), (self.get(label(node)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let n: Node | undefined = node; n; n = byId.get(parent.get(n.id)!)) {
    const l = label(n);
    if (!seen.has(l)) inclusive.set(l, (inclusive.get(l) ?? 0) + dt);
    seen.add(l);
  }
});

const idle = self.get('(idle) :0') ?? 0;
const busy = total - idle;
const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title} (% of busy time ${(busy / 1000).toFixed(0)} ms)`);
  [...m]
    .filter(
      ([l]) =>
        !l.startsWith('(idle)') && !l.startsWith('(root)') && (!filter || l.includes(filter)),
    )
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([l, t]) => console.log(`${((t / busy) * 100).toFixed(1).padStart(5)}%  ${l}`));
};
print('self time', self);
print('inclusive time', inclusive);
