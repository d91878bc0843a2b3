import net from 'node:net';

/**
 * Endpoint ports: stable for the life of the endpoint (a saved .env keeps working across
 * restarts), so they come from a range the kernel never hands out on its own. Ports it picks
 * for port 0 and for outgoing connections (Linux 32768–60999, macOS and Windows 49152–65535)
 * would be taken now and then by a postmaster, a test's probe or a client socket while the
 * server is down, and the endpoint would have to move.
 */
export const ENDPOINT_PORTS = { first: 20_000, last: 32_767 } as const;

/** Whether 127.0.0.1:port can be listened on right now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** A free port of the endpoint range, picked at random so two servers rarely meet. */
export async function allocateEndpointPort(random: () => number = Math.random): Promise<number> {
  const size = ENDPOINT_PORTS.last - ENDPOINT_PORTS.first + 1;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = ENDPOINT_PORTS.first + Math.floor(random() * size);
    if (await portIsFree(port)) return port;
  }
  throw new Error(
    `no free port in ${ENDPOINT_PORTS.first}-${ENDPOINT_PORTS.last} on 127.0.0.1 after 100 tries`,
  );
}
