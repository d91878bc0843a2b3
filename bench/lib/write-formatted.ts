import fs from 'node:fs';
import * as prettier from 'prettier';

/**
 * Writes a file the bench generates (results.json, BENCHMARKS.md) as Prettier would, with the
 * repository's settings, so `prettier --check` (in `npm test`) passes right after a bench run.
 */
export async function writeFormatted(file: string, text: string): Promise<void> {
  const options = await prettier.resolveConfig(file);
  fs.writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
}
