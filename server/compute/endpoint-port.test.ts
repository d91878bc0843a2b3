import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { allocateEndpointPort, ENDPOINT_PORTS, portIsFree } from './endpoint-port.ts';

const held: net.Server[] = [];

afterEach(async () => {
  await Promise.all(held.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** Listens on a port of the endpoint range (the first free one from `from`). */
async function hold(from: number): Promise<number> {
  for (let port = from; port <= ENDPOINT_PORTS.last; port++) {
    const server = net.createServer();
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(true));
    });
    if (ok) {
      held.push(server);
      return port;
    }
  }
  throw new Error('nothing free to hold');
}

describe('endpoint ports', () => {
  it('come from below the ranges the kernel picks from (Linux from 32768, others from 49152)', async () => {
    for (let i = 0; i < 20; i++) {
      const port = await allocateEndpointPort();
      expect(port).toBeGreaterThanOrEqual(ENDPOINT_PORTS.first);
      expect(port).toBeLessThan(32_768);
    }
  });

  it('skip a port something listens on', async () => {
    const taken = await hold(ENDPOINT_PORTS.first + 1234);
    expect(await portIsFree(taken)).toBe(false);
    const picks = [taken, taken, taken + 1].map(
      (port) =>
        (port - ENDPOINT_PORTS.first + 0.5) / (ENDPOINT_PORTS.last - ENDPOINT_PORTS.first + 1),
    );
    const port = await allocateEndpointPort(() => picks.shift() ?? Math.random());
    expect(port).not.toBe(taken);
    expect(await portIsFree(port)).toBe(true);
  });
});
