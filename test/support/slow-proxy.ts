// A loopback TCP proxy that can hold back every byte for a while, to make a real server
// (dynalite) slow without touching it: a store that answers late, not one that is down.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface SlowProxy {
  readonly endpoint: string;
  /** Delay added to each chunk in either direction; 0 forwards at once. */
  delayMs: number;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 in front of `targetPort`. */
export async function startSlowProxy(targetPort: number): Promise<SlowProxy> {
  const sockets = new Set<Socket>();
  const proxy: SlowProxy = {
    endpoint: '',
    delayMs: 0,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const forward = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => {
      const send = () => {
        if (!to.destroyed) to.write(chunk);
      };
      if (proxy.delayMs > 0) setTimeout(send, proxy.delayMs);
      else send();
    });
    from.on('close', () => setTimeout(() => to.destroy(), proxy.delayMs));
    from.on('error', () => to.destroy());
  };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(proxy, { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}
