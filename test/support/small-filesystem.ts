/**
 * A small filesystem mounted for a test (tmpfs, or ext4 on a loop device), which the test
 * can fill up and free again. Mounting needs root (or CAP_SYS_ADMIN); `cannotMount` says
 * why not, so a test can skip with that reason instead of failing.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type FilesystemKind = 'tmpfs' | 'ext4';

export interface SmallFilesystem {
  kind: FilesystemKind;
  /** The mount point. */
  dir: string;
  /** Writes a filler file until the filesystem refuses another byte. */
  fill(): void;
  /** Removes the filler: the space is back. */
  free(): void;
  /** Bytes still free, as statfs reports them. */
  available(): number;
  /** Unmounts (lazily if something still holds it) and removes what was made; safe to call twice. */
  remove(): void;
}

const FILLER = '.filler';

function run(command: string, args: string[]) {
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Mounts a filesystem of about `megabytes` MB; throws with the system's reason if it cannot. */
export function mountSmallFilesystem(kind: FilesystemKind, megabytes: number): SmallFilesystem {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), `neon-small-${kind}-`));
  const dir = path.join(base, 'mnt');
  const image = path.join(base, 'fs.img');
  fs.mkdirSync(dir);
  let mounted = false;
  const remove = () => {
    if (mounted) {
      try {
        run('umount', [dir]);
      } catch {
        run('umount', ['-l', dir]);
      }
      mounted = false;
    }
    fs.rmSync(base, { recursive: true, force: true });
  };
  try {
    if (kind === 'tmpfs') {
      run('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m,mode=0700`, 'tmpfs', dir]);
    } else {
      fs.writeFileSync(image, '');
      fs.truncateSync(image, megabytes * 1024 * 1024);
      // No blocks reserved for root: "full" means full for the server too.
      run('mkfs.ext4', ['-q', '-F', '-m', '0', image]);
      run('mount', ['-o', 'loop', image, dir]);
    }
    mounted = true;
  } catch (err) {
    remove();
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(stderr || (err as Error).message);
  }
  const filler = path.join(dir, FILLER);
  return {
    kind,
    dir,
    fill() {
      const fd = fs.openSync(filler, 'a');
      const chunk = Buffer.alloc(64 * 1024);
      try {
        for (let size = chunk.length; size >= 1;) {
          try {
            fs.writeSync(fd, chunk, 0, size);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
            size >>= 1;
          }
        }
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    },
    free() {
      fs.rmSync(filler, { force: true });
    },
    available() {
      const stats = fs.statfsSync(dir);
      return stats.bavail * stats.bsize;
    },
    remove,
  };
}

/** Why a small filesystem cannot be mounted here, or undefined when it can (tried once, then unmounted). */
export function cannotMount(kind: FilesystemKind): string | undefined {
  try {
    mountSmallFilesystem(kind, 8).remove();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
