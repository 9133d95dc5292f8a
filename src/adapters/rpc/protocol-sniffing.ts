// The first stage of every connection on the shared port: read just enough to tell HTTP/2
// (its client preface) from HTTP/1.1. Nothing above this stage has a timer yet, so a client
// that connects and sends nothing, or half a preface, would hold its socket for ever; the
// detect timeout closes it.
import type { Socket } from 'node:net';

export type DetectedProtocol = 'h2' | 'http/1.1';

const http2Preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/**
 * Reads the first bytes of `socket` and calls `detected` with the protocol, the bytes read put
 * back and the socket paused; destroys the socket if that takes longer than `timeoutMs`.
 */
export function sniffProtocol(socket: Socket, timeoutMs: number, detected: (protocol: DetectedProtocol) => void): void {
  let buffered: Buffer = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  timer.unref();
  const onData = (chunk: Buffer): void => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const compared = Math.min(buffered.length, http2Preface.length);
    const isHttp2 = buffered.subarray(0, compared).equals(http2Preface.subarray(0, compared));
    if (isHttp2 && buffered.length < http2Preface.length) return;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('close', onClose);
    socket.pause();
    socket.unshift(buffered);
    detected(isHttp2 ? 'h2' : 'http/1.1');
  };
  const onClose = (): void => clearTimeout(timer);
  socket.on('data', onData);
  socket.once('close', onClose);
}
