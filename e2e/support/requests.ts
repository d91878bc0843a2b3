import type { Page, Request } from '@playwright/test';

/** The API requests the page sends that `matches` picks, in the order it sends them. */
export function recordRequests(page: Page, matches: (request: Request) => boolean): Request[] {
  const sent: Request[] = [];
  page.on('request', (request) => {
    if (matches(request)) sent.push(request);
  });
  return sent;
}

const apiPath = (request: Request) => new URL(request.url()).pathname;

export const isCreateRole = (request: Request) =>
  request.method() === 'POST' && /^\/api\/v2\/.*\/branches\/[^/]+\/roles$/.test(apiPath(request));

export const isReset = (request: Request) =>
  request.method() === 'POST' && apiPath(request).endsWith('/reset_password');

/** Any state-changing call of the API. */
export const isMutation = (request: Request) =>
  request.method() !== 'GET' && apiPath(request).startsWith('/api/v2/');
