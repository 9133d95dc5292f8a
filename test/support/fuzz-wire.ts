// The wire fuzzer's two ways of sending (a node:http2 stream, raw bytes on a TCP socket) and
// its judge: an answer must never be a server fault (gRPC INTERNAL/UNKNOWN/DATA_LOSS, Connect
// "internal", HTTP 500) nor carry internals (stack frames, file paths, SQLite/Kysely names).
import http2, { type ClientHttp2Session } from 'node:http2';
import net from 'node:net';

export interface WireAnswer {
  /** False when the client library itself refused to send the request (an invalid header). */
  readonly sent: boolean;
  readonly httpStatus?: number;
  /** gRPC status from headers or trailers (HTTP/2), or from a gRPC-Web trailer frame. */
  readonly grpcStatus?: string;
  /** Everything received, as latin1 text (head, body, trailers), for the fault checks. */
  readonly text: string;
  /** Nothing (or no end) within the time allowed: the server still waits for more, which is legal. */
  readonly timedOut: boolean;
}

const maxKeptBytes = 64 * 1024;

/** Sends one request on `session` and collects the answer; a stream that outlives `timeoutMs` is cancelled. */
export function sendHttp2(session: ClientHttp2Session, headers: Record<string, string>, body: Uint8Array, timeoutMs: number): Promise<WireAnswer> {
  return new Promise((resolve) => {
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(headers, { endStream: false });
    } catch {
      return resolve({ sent: false, text: '', timedOut: false });
    }
    let httpStatus: number | undefined;
    let grpcStatus: string | undefined;
    let text = '';
    let kept = 0;
    let timedOut = false;
    const cancel = () => {
      if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      cancel();
    }, timeoutMs);
    let streamingTimer: NodeJS.Timeout | undefined;
    const readHeaders = (fields: http2.IncomingHttpHeaders) => {
      for (const [name, value] of Object.entries(fields)) {
        text += `${name}: ${String(value)}\n`;
        if (name === 'grpc-status') grpcStatus = String(value);
        if (name === 'grpc-message') text += `(decoded) ${safeDecode(String(value))}\n`;
      }
    };
    stream.on('response', (fields) => {
      httpStatus = Number(fields[':status']);
      readHeaders(fields);
    });
    stream.on('trailers', readHeaders);
    stream.on('data', (chunk: Buffer) => {
      if (kept < maxKeptBytes) text += chunk.subarray(0, maxKeptBytes - kept).toString('latin1');
      kept += chunk.length;
      // A server stream (health Watch) that answered stays open: enough has been seen.
      streamingTimer ??= setTimeout(cancel, 100);
    });
    stream.on('error', () => undefined);
    stream.on('close', () => {
      clearTimeout(timer);
      clearTimeout(streamingTimer);
      resolve({ sent: true, httpStatus, grpcStatus, text, timedOut });
    });
    stream.end(Buffer.from(body));
  });
}

/**
 * Opens a TCP connection, writes `bytes`, and reads until the server closes it, one whole
 * answer is in, or time is up: `firstByteMs` for the first byte, then `restMs` (a stream that
 * answered stays open).
 */
export function sendRaw(port: number, bytes: Uint8Array, firstByteMs: number, restMs: number): Promise<WireAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let kept = 0;
    let timedOut = false;
    const giveUp = () => {
      timedOut = true;
      socket.destroy();
    };
    let timer = setTimeout(giveUp, firstByteMs);
    socket.once('data', () => {
      clearTimeout(timer);
      timer = setTimeout(giveUp, restMs);
    });
    socket.on('data', (chunk: Buffer) => {
      if (kept < maxKeptBytes) chunks.push(chunk);
      kept += chunk.length;
      // A keep-alive connection stays open after its answer: stop once one whole answer is in.
      if (holdsCompleteResponse(Buffer.concat(chunks))) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks);
      const { httpStatus, body, head } = parseHttp1(raw);
      const trailer = /grpc-status:\s*(\d+)/i.exec(body.toString('latin1'));
      const decodedMessage = /grpc-message:\s*([^\r\n]*)/i.exec(body.toString('latin1'));
      resolve({
        sent: true,
        httpStatus,
        grpcStatus: trailer?.[1],
        text: `${head}\n${body.toString('latin1')}${decodedMessage ? `\n(decoded) ${safeDecode(decodedMessage[1]!)}` : ''}`,
        timedOut,
      });
    });
    socket.write(Buffer.from(bytes));
  });
}

/** Whether `raw` holds one whole final (non-1xx) HTTP/1.1 response. */
function holdsCompleteResponse(raw: Buffer): boolean {
  let start = 0;
  for (;;) {
    const end = raw.indexOf('\r\n\r\n', start);
    if (end < 0) return false;
    const head = raw.subarray(start, end).toString('latin1');
    if (/^HTTP\/1\.[01] 1\d\d/.test(head)) {
      start = end + 4;
      continue;
    }
    const body = raw.subarray(end + 4);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (length) return body.length >= Number(length[1]);
    if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) return body.includes('\r\n0\r\n\r\n') || body.subarray(0, 5).toString() === '0\r\n\r\n';
    return false;
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Status, head and (de-chunked) body of the first HTTP/1.1 response in `raw`. */
function parseHttp1(raw: Buffer): { httpStatus?: number; head: string; body: Buffer } {
  // An interim answer (100 Continue) comes first when the request asked for it.
  while (/^HTTP\/1\.[01] 1\d\d/.test(raw.subarray(0, 16).toString('latin1')) && raw.includes('\r\n\r\n')) {
    raw = raw.subarray(raw.indexOf('\r\n\r\n') + 4);
  }
  const end = raw.indexOf('\r\n\r\n');
  const head = (end < 0 ? raw : raw.subarray(0, end)).toString('latin1');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  let body = end < 0 ? Buffer.alloc(0) : raw.subarray(end + 4);
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) body = dechunk(body);
  return { httpStatus: status ? Number(status[1]) : undefined, head, body };
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

// gRPC codes that mean "the server failed": INTERNAL, UNKNOWN, DATA_LOSS.
const serverFaultGrpcCodes = new Set(['13', '2', '15']);

// What internals look like in an answer: stack frames, source paths, driver and class names.
const leakPatterns: readonly RegExp[] = [
  /^\s*at \S/m,
  /\bat \S+ \(\S+:\d+:\d+\)/,
  /\(?(?:file:\/\/)?\/(?:work|home|tmp|usr|app|src)\/\S+/,
  /node_modules/,
  /\.(?:ts|js|mjs|cjs):\d+/,
  /SQLITE_[A-Z]/,
  /kysely/i,
  /better-sqlite3/i,
  /\b(?:Type|Range|Reference|Syntax|Eval|Sqlite|Connect)Error\b/,
  /\b[A-Z][A-Za-z]+Exception\b/,
];

/** Why `answer` is a finding (empty when it is fine); patterns echoed from `request` do not count. */
export function faultsIn(answer: WireAnswer, request: Uint8Array | string): string[] {
  const faults: string[] = [];
  if (answer.httpStatus === 500) faults.push('HTTP 500');
  if (answer.grpcStatus !== undefined && serverFaultGrpcCodes.has(answer.grpcStatus)) faults.push(`grpc-status ${answer.grpcStatus}`);
  const connectCode = /"code"\s*:\s*"(internal|unknown|data_loss)"/.exec(answer.text);
  if (connectCode) faults.push(`connect code ${connectCode[1]}`);
  const sent = typeof request === 'string' ? request : Buffer.from(request).toString('latin1');
  for (const pattern of leakPatterns) {
    const match = pattern.exec(answer.text);
    if (match && !sent.includes(match[0].trim())) faults.push(`leak ${pattern}: ${JSON.stringify(match[0])}`);
  }
  return faults;
}

/** A short, printable description of a request for a failure report. */
export function describeRequest(request: { bytes: Uint8Array } | { headers: Record<string, string>; body: Uint8Array }): string {
  if ('bytes' in request) return JSON.stringify(Buffer.from(request.bytes).subarray(0, 600).toString('latin1'));
  const headers = { ...request.headers };
  if (headers.authorization !== undefined) headers.authorization = headers.authorization.slice(0, 20);
  return `${JSON.stringify(headers)} body=${Buffer.from(request.body).subarray(0, 200).toString('hex')}`;
}
