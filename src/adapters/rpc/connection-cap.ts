// A cap on open connections, so that silent or slow clients cannot take every file
// descriptor. At the cap the oldest idle connection (still sniffing, an idle keep-alive, an
// HTTP/2 session with no open stream) is closed to make room: a crowd of silent connections
// then costs each other their place, never a client with a call in progress. Only when every
// connection is busy is the newcomer refused.
import type { Socket } from 'node:net';

export interface TrackedConnection {
  /** Whether the connection holds no call right now; replaced as the connection changes stage. */
  idle: () => boolean;
}

export interface ConnectionCap {
  /**
   * Admits `socket`, closing the oldest idle connection when at the cap; false when every
   * connection is busy (the caller then closes `socket`).
   */
  admit(socket: Socket): boolean;
  /** The record of an admitted socket, to keep its idle check current. */
  tracked(socket: Socket): TrackedConnection | undefined;
  readonly size: number;
}

/** Creates the cap for at most `maxConnections` open connections. */
export function createConnectionCap(maxConnections: number): ConnectionCap {
  // A Map iterates in insertion order, i.e. oldest connection first.
  const open = new Map<Socket, TrackedConnection>();

  function closeOldestIdle(): boolean {
    for (const [socket, connection] of open) {
      if (!connection.idle()) continue;
      open.delete(socket);
      socket.destroy();
      return true;
    }
    return false;
  }

  return {
    admit(socket) {
      if (open.size >= maxConnections && !closeOldestIdle()) return false;
      open.set(socket, { idle: () => true });
      socket.once('close', () => open.delete(socket));
      return true;
    },
    tracked: (socket) => open.get(socket),
    get size() {
      return open.size;
    },
  };
}
