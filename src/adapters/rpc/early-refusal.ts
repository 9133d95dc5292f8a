// Answering a call with an error before connect has parsed anything (the in-flight cap):
// written straight to the response in the caller's protocol, so every client kind reads the
// real code, and without reading or buffering the request body.
import type { ServerHttp2Stream } from 'node:http2';
import type { ConnectError } from '@connectrpc/connect';
import { codeToHttpStatus, endStreamFlag, endStreamToJson, errorToJsonBytes } from '@connectrpc/connect/protocol-connect';
import { headerStatusDetailsBin, setTrailerStatus } from '@connectrpc/connect/protocol-grpc';
import { encodeGrpcMessage } from './grpc-message.ts';
import type { NodeRequest, NodeResponse } from './listener.ts';

/**
 * Ends a gRPC call on its bare HTTP/2 stream as trailers-only (grpc-status in the headers), with
 * a `head` from grpcTrailersOnlyHead, made once for a refusal repeated at a high rate.
 */
export function refuseGrpcStream(stream: ServerHttp2Stream, head: Readonly<Record<string, string>>, headers?: Readonly<Record<string, string>>): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  stream.respond({ ...headers, ':status': 200, ...head }, endStreamOptions);
}

const endStreamOptions = Object.freeze({ endStream: true });

/** The trailers-only head of a gRPC answer failing with `error`. */
export function grpcTrailersOnlyHead(error: ConnectError): Readonly<Record<string, string>> {
  return Object.freeze(trailersOnlyHead('application/grpc', error));
}

/** The head of a trailers-only gRPC or gRPC-Web answer: its content type, the status and its details (ErrorInfo). */
function trailersOnlyHead(contentType: string, error: ConnectError): Record<string, string> {
  const head: Record<string, string> = { 'content-type': contentType, 'grpc-status': String(error.code), 'grpc-message': encodeGrpcMessage(error.rawMessage) };
  // connect's own encoding of the details as a google.rpc.Status, so every path sends the same bytes.
  const details = error.details.length === 0 ? null : setTrailerStatus(new Headers(), error).get(headerStatusDetailsBin);
  if (details !== null) head[headerStatusDetailsBin] = details;
  return head;
}

/**
 * Ends `response` with `error`: gRPC and gRPC-Web as trailers-only (grpc-status in the
 * headers), the Connect streaming protocol as an end-stream message, and Connect unary (or
 * anything else) as the Connect JSON error with its HTTP status (429 for RESOURCE_EXHAUSTED).
 */
export function refuseEarly(request: NodeRequest, response: NodeResponse, error: ConnectError): void {
  const contentType = String(request.headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('application/grpc')) {
    response.writeHead(200, trailersOnlyHead(contentType.startsWith('application/grpc-web') ? 'application/grpc-web+proto' : 'application/grpc', error));
    response.end();
    return;
  }
  if (contentType.startsWith('application/connect+')) {
    const json = Buffer.from(JSON.stringify(endStreamToJson(new Headers(), error, undefined)));
    const envelope = Buffer.alloc(5 + json.length);
    envelope.writeUInt8(endStreamFlag, 0);
    envelope.writeUInt32BE(json.length, 1);
    json.copy(envelope, 5);
    response.writeHead(200, { 'content-type': contentType.startsWith('application/connect+json') ? 'application/connect+json' : 'application/connect+proto' });
    response.end(envelope);
    return;
  }
  response.writeHead(codeToHttpStatus(error.code), { 'content-type': 'application/json' });
  response.end(Buffer.from(errorToJsonBytes(error, undefined)));
}
