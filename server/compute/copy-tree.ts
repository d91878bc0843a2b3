import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A directory Postgres is not writing to, copied with ownership and modes (reflinks where the filesystem has them). */
export async function copyStoppedTree(from: string, to: string): Promise<void> {
  fs.rmSync(to, { recursive: true, force: true });
  try {
    await run('cp', ['-a', '--reflink=auto', from, to], { timeout: 600_000 });
  } catch (error) {
    const err = error as { stderr?: string; message: string };
    throw new Error(`Copying ${from} failed: ${(err.stderr || err.message).trim()}`);
  }
}

/** Hard links of a tree whose files are never written again (a base/ copy), modes kept. */
export async function linkTree(from: string, to: string): Promise<void> {
  try {
    await run('cp', ['-al', from, to], { timeout: 600_000 });
  } catch (error) {
    const err = error as { stderr?: string; message: string };
    throw new Error(`Linking ${from} failed: ${(err.stderr || err.message).trim()}`);
  }
}

/**
 * Copies a data directory while Postgres runs (between pg_backup_start and pg_backup_stop):
 * files may vanish or grow meanwhile — WAL replay from the backup's start makes the copy
 * consistent — so a file gone mid-walk is skipped, as pg_basebackup does. `skip(relative)`
 * leaves out a file or a directory's contents (the directory itself is kept).
 */
export async function copyLiveTree(
  from: string,
  to: string,
  skipContentsOf: (relative: string) => boolean,
): Promise<void> {
  fs.rmSync(to, { recursive: true, force: true });
  const queue: string[] = [''];
  const files: string[] = [];
  while (queue.length > 0) {
    const relative = queue.shift()!;
    const source = path.join(from, relative);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(source);
    } catch (error) {
      if (isVanished(error)) continue;
      throw error;
    }
    if (stat.isDirectory()) {
      fs.mkdirSync(path.join(to, relative), { mode: stat.mode & 0o7777 });
      if (relative !== '' && skipContentsOf(relative)) continue;
      let entries: string[];
      try {
        entries = fs.readdirSync(source);
      } catch (error) {
        if (isVanished(error)) continue;
        throw error;
      }
      for (const entry of entries) queue.push(path.join(relative, entry));
    } else if (stat.isFile() && !skipContentsOf(relative)) {
      files.push(relative);
    }
  }
  // A few copies at once: the kernel does the work (copy_file_range / reflink).
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const relative = files[next++]!;
      try {
        await fs.promises.copyFile(
          path.join(from, relative),
          path.join(to, relative),
          fs.constants.COPYFILE_FICLONE,
        );
      } catch (error) {
        if (!isVanished(error)) throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

function isVanished(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}
