import net from 'node:net';

/**
 * An endpoint's stable port on 127.0.0.1: each client connection takes a lease on the
 * compute (which starts Postgres if it is suspended), then bytes are passed both ways
 * unchanged — TLS and SCRAM are between the client and Postgres. The lease ends with the
 * connection, which is how the compute knows it is idle.
 */
export interface ProxyTarget {
  /** Resolves with the port Postgres listens on once it is running. */
  acquire(): Promise<number>;
  release(): void;
  onError(error: Error): void;
}

export class EndpointProxy {
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static listen(port: number, target: ProxyTarget): Promise<EndpointProxy> {
    return new Promise((resolve, reject) => {
      const server = net.createServer({ noDelay: true });
      const proxy = new EndpointProxy(server, port);
      server.on('connection', (client) => proxy.accept(client, target));
      server.once('error', reject);
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', (error) => target.onError(error));
        resolve(proxy);
      });
    });
  }

  get connections(): number {
    return this.sockets.size;
  }

  /** Stops listening and ends every connection (their leases end with them). */
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, target: ProxyTarget): void {
    this.sockets.add(client);
    client.setNoDelay(true);
    let released = false;
    let upstream: net.Socket | undefined;
    const end = () => {
      this.sockets.delete(client);
      client.destroy();
      upstream?.destroy();
      if (!released) {
        released = true;
        target.release();
      }
    };
    client.on('error', end);
    client.on('close', end);
    // The client's first bytes (SSLRequest, startup) wait in the socket until we pipe.
    target
      .acquire()
      .then((port) => connectWithRetry(port, target))
      .then((socket) => {
        if (client.destroyed) {
          socket.destroy();
          return;
        }
        upstream = socket;
        socket.setNoDelay(true);
        socket.on('error', end);
        socket.on('close', end);
        client.pipe(socket);
        socket.pipe(client);
      })
      .catch((error: Error) => {
        target.onError(error);
        if (!client.destroyed)
          client.end(errorResponse(`could not start the compute: ${error.message}`));
        end();
      });
  }
}

/** Postgres may have died between the lease and the connect: one new lease, then give up. */
async function connectWithRetry(port: number, target: ProxyTarget): Promise<net.Socket> {
  try {
    return await connect(port);
  } catch {
    target.release();
    const again = await target.acquire();
    return connect(again);
  }
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** A Postgres ErrorResponse (FATAL, 57P03 cannot_connect_now) so clients print why. */
function errorResponse(message: string): Buffer {
  const fields = Buffer.concat(
    [
      ['S', 'FATAL'],
      ['V', 'FATAL'],
      ['C', '57P03'],
      ['M', message.slice(0, 2000)],
    ].map(([code, text]) =>
      Buffer.concat([Buffer.from(code!), Buffer.from(text!), Buffer.from([0])]),
    ),
  );
  const body = Buffer.concat([fields, Buffer.from([0])]);
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
