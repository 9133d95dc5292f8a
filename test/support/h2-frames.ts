// A raw HTTP/2 frame writer and reader for attack tests: a client that does exactly what the
// test says (ignores SETTINGS, never ends a stream, resets every stream at once), which no
// real HTTP/2 client library can be made to do. Header blocks use HPACK literals without
// indexing or Huffman coding (RFC 7541 §6.2.2), which every decoder must accept.
import net from 'node:net';

export const clientPreface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

export const frameType = { data: 0x0, headers: 0x1, rstStream: 0x3, settings: 0x4, ping: 0x6, goaway: 0x7, windowUpdate: 0x8 } as const;
export const flag = { endStream: 0x1, ack: 0x1, endHeaders: 0x4 } as const;
export const errorCode = { noError: 0x0, refusedStream: 0x7, cancel: 0x8, enhanceYourCalm: 0xb } as const;

/** One frame: 9-byte header (length, type, flags, stream id) and its payload. */
export function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header.writeUInt8(type, 3);
  header.writeUInt8(flags, 4);
  header.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([header, payload]);
}

function hpackLength(length: number): Buffer {
  // A 7-bit prefix integer (RFC 7541 §5.1), Huffman flag off.
  if (length < 127) return Buffer.from([length]);
  const bytes = [127];
  let rest = length - 127;
  while (rest >= 128) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>= 7;
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** An HPACK header block of literal fields, new names, never indexed by the peer's table. */
export function headerBlock(headers: ReadonlyArray<readonly [string, string]>): Buffer {
  return Buffer.concat(
    headers.flatMap(([name, value]) => [Buffer.from([0x00]), hpackLength(name.length), Buffer.from(name), hpackLength(Buffer.byteLength(value)), Buffer.from(value)]),
  );
}

/** The request headers of a gRPC call to `path` (with a bearer token when given). */
export function grpcRequestHeaders(path: string, token?: string): Buffer {
  const headers: Array<[string, string]> = [
    [':method', 'POST'],
    [':scheme', 'http'],
    [':path', path],
    [':authority', '127.0.0.1'],
    ['content-type', 'application/grpc'],
    ['te', 'trailers'],
  ];
  if (token !== undefined) headers.push(['authorization', `Bearer ${token}`]);
  return headerBlock(headers);
}

export function headersFrame(streamId: number, block: Buffer, endStream: boolean): Buffer {
  return frame(frameType.headers, flag.endHeaders | (endStream ? flag.endStream : 0), streamId, block);
}

export function dataFrame(streamId: number, payload: Buffer, endStream: boolean): Buffer {
  return frame(frameType.data, endStream ? flag.endStream : 0, streamId, payload);
}

export function rstStreamFrame(streamId: number, code: number = errorCode.cancel): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(code);
  return frame(frameType.rstStream, 0, streamId, payload);
}

export function settingsFrame(ack = false): Buffer {
  return frame(frameType.settings, ack ? flag.ack : 0, 0);
}

export function windowUpdateFrame(streamId: number, increment: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(increment);
  return frame(frameType.windowUpdate, 0, streamId, payload);
}

/** A gRPC message envelope (uncompressed) around `message`. */
export function grpcEnvelope(message: Buffer = Buffer.alloc(0)): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

export interface ReceivedFrame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

/** Calls `onFrame` for each frame the server sends on `socket` (after its preface is written). */
export function readFrames(socket: net.Socket, onFrame: (received: ReceivedFrame) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 9) {
      const length = pending.readUIntBE(0, 3);
      if (pending.length < 9 + length) break;
      onFrame({ type: pending[3]!, flags: pending[4]!, streamId: pending.readUInt32BE(5) & 0x7fffffff, payload: pending.subarray(9, 9 + length) });
      pending = pending.subarray(9 + length);
    }
  });
}

/** A TCP connection to 127.0.0.1:`port`, resolved once connected; errors are swallowed (the server may cut it). */
export function rawConnect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * Resolves when `socket` closes, with the milliseconds it took from now. Reads (and drops)
 * whatever arrives, since a paused socket never sees the server's FIN behind unread data.
 */
export function closedWithin(socket: net.Socket): Promise<number> {
  const started = performance.now();
  return new Promise((resolve) => {
    if (socket.destroyed || socket.readyState === 'closed') return resolve(0);
    socket.once('close', () => resolve(performance.now() - started));
    if (socket.listenerCount('data') === 0) socket.resume();
  });
}
