/**
 * This disk's own fdatasync latency, the floor under every acknowledged write: 2,000 rounds
 * of writing 12 KiB (a mutation's few WAL frames) into a file and fdatasync-ing it.
 *
 *   npx tsx bench/fsync-probe.ts [dir=os.tmpdir()]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dir = fs.mkdtempSync(path.join(process.argv[2] ?? os.tmpdir(), 'fsync-probe-'));
const file = path.join(dir, 'probe');
const fd = fs.openSync(file, 'w');
const frames = Buffer.alloc(3 * 4096, 1);
const ms: number[] = [];
try {
  for (let i = 0; i < 2000; i++) {
    fs.writeSync(fd, frames, 0, frames.length, (i % 256) * frames.length);
    const start = process.hrtime.bigint();
    fs.fdatasyncSync(fd);
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
} finally {
  fs.closeSync(fd);
  fs.rmSync(dir, { recursive: true, force: true });
}
ms.sort((a, b) => a - b);
const at = (q: number) => ms[Math.floor(q * (ms.length - 1))]!.toFixed(3);
console.log(
  `fdatasync of 12 KiB, ${ms.length} rounds: p50 ${at(0.5)} p90 ${at(0.9)} p99 ${at(0.99)} p99.9 ${at(0.999)} max ${at(1)} ms (load ${os.loadavg()[0]!.toFixed(1)})`,
);
