/**
 * Runs inside the page (installed with addInitScript): timestamps in the page's own clock
 * (performance.now(), 0 = navigation start), so Playwright's round trips are not counted.
 *
 * arm(check) waits for the DOM to satisfy `check`, then for the next frame; the start is
 * the first input event after arming (pointerdown / keydown / input / change).
 * Checks are semantic: dialog titles (aria-labelledby), table captions and row headers,
 * live-region text — the same things the role locators look at.
 */
export type Check =
  | { kind: 'dialog'; title: string }
  | { kind: 'password'; title: string }
  | { kind: 'row'; caption: string; row: string }
  | { kind: 'live'; text: string };

export interface Timing {
  /** Input event time (or 0 for a navigation). */
  start: number;
  /** When the DOM first satisfied the check. */
  dom: number;
  /** After the next frame: the DOM has been painted. */
  paint: number;
}

export interface Probe {
  arm(check: Check): void;
  pending: Promise<Timing> | undefined;
  longTasks: { start: number; duration: number }[];
}

declare global {
  interface Window {
    __bench: Probe;
  }
}

export function installProbe(initial: Check | null): void {
  const titled = (re: RegExp) =>
    [...document.querySelectorAll<HTMLElement>('[role=dialog],[role=alertdialog]')].find((d) => {
      const id = d.getAttribute('aria-labelledby');
      return re.test((id && document.getElementById(id)?.textContent) || '');
    });
  const matches = (check: Check): boolean => {
    switch (check.kind) {
      case 'dialog':
        return Boolean(titled(new RegExp(check.title)));
      case 'password': {
        const d = titled(new RegExp(check.title));
        return Boolean(
          d &&
          [...d.querySelectorAll('label')].some(
            (l) =>
              l.textContent === 'Password' &&
              (document.getElementById(l.htmlFor) as HTMLInputElement | null)?.value,
          ),
        );
      }
      case 'row': {
        const re = new RegExp(check.caption);
        return [...document.querySelectorAll('table')].some(
          (t) =>
            re.test(t.caption?.textContent ?? '') &&
            [...(t.tBodies[0]?.rows ?? [])].some((r) =>
              r.querySelector('th')?.textContent?.includes(check.row),
            ),
        );
      }
      case 'live': {
        const re = new RegExp(check.text);
        return [...document.querySelectorAll('[aria-live]')].some((e) =>
          re.test(e.textContent ?? ''),
        );
      }
    }
  };

  let start: number | null = null;
  const onInput = (event: Event) => {
    if (start === null) start = event.timeStamp;
  };
  for (const type of ['pointerdown', 'keydown', 'input', 'change'])
    addEventListener(type, onInput, true);

  const probe: Probe = {
    pending: undefined,
    longTasks: [],
    arm(check) {
      start = null;
      probe.pending = new Promise<Timing>((resolve) => {
        let done = false;
        const test = () => {
          if (done || !matches(check)) return;
          done = true;
          observer.disconnect();
          const dom = performance.now();
          requestAnimationFrame(() =>
            setTimeout(() => resolve({ start: start ?? 0, dom, paint: performance.now() })),
          );
        };
        const observer = new MutationObserver(test);
        observer.observe(document, {
          subtree: true,
          childList: true,
          characterData: true,
          attributes: true,
        });
        test();
      });
    },
  };
  window.__bench = probe;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        probe.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // no Long Tasks API: longTasks stays empty and the bench says so
  }
  if (initial) {
    probe.arm(initial);
    start = 0;
  }
}
