import fs from 'node:fs';
import { chromium } from '@playwright/test';

/** One line telling a newcomer how to get a browser; printed before anything else runs. */
export const NO_CHROMIUM =
  "No Chromium for the end-to-end suite: install Debian's (`apt-get install chromium`), or run " +
  '`npx playwright install chromium` where downloads work, or set CHROMIUM_PATH to a Chromium binary.';

/** Playwright's own downloaded Chromium, when one is installed. */
function playwrightsChromium(): string | undefined {
  try {
    return chromium.executablePath();
  } catch {
    return undefined;
  }
}

/**
 * The Chromium the suite drives: CHROMIUM_PATH when set (and only it: a wrong path is an
 * error, not a reason to pick another browser), else Debian's, else Playwright's own.
 */
export function findChromium(): { path: string } | { error: string } {
  const chosen = process.env.CHROMIUM_PATH;
  if (chosen) {
    return fs.existsSync(chosen)
      ? { path: chosen }
      : { error: `CHROMIUM_PATH is ${chosen}, and there is no file there. ${NO_CHROMIUM}` };
  }
  const found = ['/usr/bin/chromium', '/usr/lib/chromium/chromium', playwrightsChromium()].find(
    (candidate) => candidate !== undefined && fs.existsSync(candidate),
  );
  return found ? { path: found } : { error: NO_CHROMIUM };
}
