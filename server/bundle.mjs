// @ts-check
/**
 * The server as one built JavaScript file: server/main.ts and the packages it imports,
 * bundled by esbuild into node_modules/.cache/neon-server/server.mjs. Node then starts it
 * without tsx's compiler and without resolving hundreds of package files one by one (start
 * to ready: figures in BENCHMARKS.md). Plain JavaScript, because it runs before anything
 * can compile TypeScript.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/**
 * Besides the sources esbuild read: this file (the build's options) and npm's record of
 * what is installed, which changes with every install (the packages are in the bundle).
 */
const ALWAYS_INPUTS = ['server/bundle.mjs', 'node_modules/.package-lock.json', 'package-lock.json'];

/**
 * Kept out of the bundle: better-sqlite3 loads a native addon found relative to its own
 * files; vite is imported only to build the console; pg-native is pg's optional driver.
 */
const EXTERNAL = ['better-sqlite3', 'vite', 'pg-native'];

/**
 * The bundle's path, rebuilt first when it is missing or older than any of its inputs.
 * `root` is the project's (tests bundle a project of their own).
 */
export async function serverBundle(root = ROOT) {
  const outDir = path.join(root, 'node_modules', '.cache', 'neon-server');
  const files = {
    bundle: path.join(outDir, 'server.mjs'),
    // The project files the bundle was made from (relative to root), for the stale check.
    inputs: path.join(outDir, 'inputs.json'),
  };
  if (!isFresh(root, files)) await buildServerBundle(root, files);
  return files.bundle;
}

/** @typedef {{ bundle: string, inputs: string }} BundleFiles */

/** @param {string} root @param {BundleFiles} files */
function isFresh(root, files) {
  let built;
  /** @type {string[]} */
  let inputs;
  try {
    built = fs.statSync(files.bundle).mtimeMs;
    inputs = JSON.parse(fs.readFileSync(files.inputs, 'utf8'));
  } catch {
    return false;
  }
  return inputs.every((input) => {
    try {
      return fs.statSync(path.join(root, input)).mtimeMs <= built;
    } catch {
      return false; // an input is gone: the sources changed
    }
  });
}

/** @param {string} root @param {BundleFiles} files */
async function buildServerBundle(root, files) {
  const { build } = await import('esbuild');
  // The bundle is dated from before esbuild read the sources, so an edit made while it
  // builds still counts as newer.
  const started = new Date();
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['server/main.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL,
    // The CommonJS packages inside (pg, selfsigned…) require() Node's built-ins, which an
    // ES module can only do through a require of its own.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    metafile: true,
    write: false,
    outfile: files.bundle,
    logLevel: 'warning',
  });
  const inputs = [
    ...Object.keys(result.metafile.inputs).filter((input) => !input.startsWith('node_modules/')),
    ...ALWAYS_INPUTS.filter((input) => fs.existsSync(path.join(root, input))),
  ];
  fs.mkdirSync(path.dirname(files.bundle), { recursive: true });
  // Written under a name of this process's own, then renamed: starts racing each other
  // never run a half-written file.
  const write = (/** @type {string} */ file, /** @type {string | Uint8Array} */ contents) => {
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, contents);
    fs.utimesSync(temp, started, started);
    fs.renameSync(temp, file);
  };
  write(files.inputs, JSON.stringify(inputs));
  write(files.bundle, result.outputFiles[0].contents);
}
