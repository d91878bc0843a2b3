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
    const received: Buffer[] = [];
    socket.on('data', (c: Buffer) => received.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const data = Buffer.concat(received);
      const split = data.indexOf('\r\n\r\n');
      const top = (split === -1 ? data : data.subarray(0, split)).toString();
      const body = split === -1 ? Buffer.alloc(0) : data.subarray(split + 4);
      const [statusLine = '', ...lines] = top.split('\r\n');
      const headers: http.IncomingHttpHeaders = {};
      for (const line of lines)
        headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line
          .slice(line.indexOf(':') + 1)
          .trim();
      // Whether Node streams an answer (chunked) or sends its length depends on timing.
      const text = (headers['transfer-encoding'] === 'chunked' ? unchunk(body) : body).toString();
      resolve({ status: Number(statusLine.split(' ')[1]), headers, text });
    });
  });
}

function unchunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    const size = Number.parseInt(raw.subarray(at, eol).toString(), 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}
