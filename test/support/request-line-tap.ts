// A loopback TCP proxy in front of the service that notes the request line (method and
// path) of every HTTP/1.1 request passing through, so a test sees what reached the server
// on the wire, e.g. that a browser sent a read as GET after its preflight. Bytes are
// forwarded unchanged both ways. Always close() it.
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface RequestLineTap {
  /** http://127.0.0.1:PORT, to call instead of the service. */
  readonly url: string;
  /** `METHOD /path?query` of every request so far, in arrival order. */
  readonly requests: string[];
  close(): Promise<void>;
}

// A request line at the start of a line in what the client sent (a request head starts a chunk).
const requestLine = /^([A-Z]+) (\S+) HTTP\/1\.[01]\r$/gm;

/** Starts the tap on 127.0.0.1:0 in front of the service on `targetPort`. */
export async function startRequestLineTap(targetPort: number): Promise<RequestLineTap> {
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      for (const match of chunk.toString('latin1').matchAll(requestLine)) requests.push(`${match[1]} ${match[2]}`);
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
