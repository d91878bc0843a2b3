// First step of `npm test`: without a browser, say how to get one before anything else runs.
import { findChromium } from '../e2e/support/chromium.ts';

const chromium = findChromium();
if ('error' in chromium) {
  process.stderr.write(`${chromium.error}\n`);
  process.exit(1);
}
