// Requests sent byte for byte over real sockets, so no client library normalises `..`,
// `%2e%2e`, stray `%` or the Host header before the server sees them.
import http from 'node:http';
import net from 'node:net';

export interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface RawOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body without Content-Length (chunked). */
  chunked?: boolean;
}

/** An HTTP request with the path and headers exactly as given; a body defaults to JSON. */
export function send(
  base: string,
  method: string,
  requestPath: string,
  options: RawOptions = {},
): Promise<Raw> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: url.host, ...options.headers };
    if (options.body !== undefined) {
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
        headers['content-type'] = 'application/json';
      if (!options.chunked) headers['content-length'] = String(Buffer.byteLength(options.body));
    }
    let answered = false;
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: requestPath,
        headers,
        setHost: false,
        agent: false,
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            text: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    // The server may answer (413) and close before a large body is fully written.
    req.on('error', (err) => (answered ? undefined : reject(err)));
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** Raw bytes on a socket (`head` = request line and headers), for targets Node's client will not send. */
export function sendBytes(base: string, head: string): Promise<Raw> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () =>
      socket.write(`${head}\r\nConnection: close\r\n\r\n`),
    );
    let data = '';
    socket.on('data', (c) => (data += c.toString()));
    socket.on('error', reject);
    socket.on('end', () => {
      const [top = '', ...rest] = data.split('\r\n\r\n');
      const [statusLine = '', ...lines] = top.split('\r\n');
      const headers: http.IncomingHttpHeaders = {};
      for (const line of lines)
        headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line
          .slice(line.indexOf(':') + 1)
          .trim();
      resolve({ status: Number(statusLine.split(' ')[1]), headers, text: rest.join('\r\n\r\n') });
    });
  });
}
