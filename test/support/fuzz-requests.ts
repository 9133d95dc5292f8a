// fast-check arbitraries for whole requests of the wire fuzzer, one per way in: gRPC over
// HTTP/2 (headers for node:http2 plus a body of length-prefixed envelopes), gRPC-Web and
// Connect over HTTP/1.1 (the raw bytes of a request), and malformed HTTP/1.1 itself.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { jsonOf, mutatedBytes, mutatedJson, protobufOf } from './fuzz-messages.ts';
import {
  authorization,
  encodingValue,
  envelopedBody,
  headerName,
  headerValue,
  optional,
  pathArbitrary,
  timeoutValue,
  withExtraHeaders,
  type FuzzTokens,
} from './fuzz-shapes.ts';

export type { FuzzTokens } from './fuzz-shapes.ts';

/** A gRPC request for node:http2: pseudo-headers and headers, and the request body. */
export interface Http2Input {
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

export function grpcRequest(tokens: FuzzTokens): fc.Arbitrary<Http2Input> {
  return pathArbitrary.chain((procedure) =>
    fc.record({
      method: fc.oneof({ weight: 12, arbitrary: fc.constant('POST') }, fc.constantFrom('GET', 'PUT', 'DELETE', 'OPTIONS', 'PATCH')),
      contentType: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom('application/grpc', 'application/grpc+proto') },
        fc.constantFrom('application/grpc+json', 'application/grpc+foo', 'application/grpc;charset=utf-8', 'application/grpc-web', 'application/json', 'application/proto', 'application/connect+proto', 'text/plain', ''),
        headerValue,
      ),
      te: fc.oneof({ weight: 6, arbitrary: fc.constant('trailers') }, fc.constant(undefined)),
      encoding: optional(encodingValue),
      acceptEncoding: optional(encodingValue, 6),
      timeout: optional(timeoutValue),
      authorization: authorization(tokens),
      extra: fc.dictionary(headerName, headerValue, { maxKeys: 2 }),
      body: fc.oneof(
        { weight: 8, arbitrary: envelopedBody(mutatedBytes(protobufOf(procedure.input))) },
        envelopedBody(mutatedJson(jsonOf(procedure.input))),
      ),
    }).map((input) => ({
      headers: withExtraHeaders(
        {
          ':method': input.method,
          ':path': procedure.path,
          'content-type': input.contentType,
          te: input.te,
          'grpc-encoding': input.encoding,
          'grpc-accept-encoding': input.acceptEncoding,
          'grpc-timeout': input.timeout,
          authorization: input.authorization,
        },
        input.extra,
      ),
      body: input.body,
    })),
  );
}

/** Raw HTTP/1.1 request bytes, and whether they make a whole request (else the server may legally wait for more). */
export interface Http1Input {
  readonly bytes: Buffer;
  readonly complete: boolean;
}

/** An HTTP/1.1 request: head lines and a body, framed by `framing`. */
function http1Request(
  requestLine: string,
  headers: Record<string, string>,
  body: Uint8Array,
  framing: 'length' | 'chunked' | 'none' | { wrongLength: number },
): Http1Input {
  // A content-length above the body leaves the server waiting; below it, `connection: close`
  // makes the server ignore the rest.
  const complete = typeof framing === 'string' || framing.wrongLength < 0;
  return { bytes: http1Bytes(requestLine, headers, body, framing), complete };
}

function http1Bytes(
  requestLine: string,
  headers: Record<string, string>,
  body: Uint8Array,
  framing: 'length' | 'chunked' | 'none' | { wrongLength: number },
): Buffer {
  const lines = [requestLine, 'host: 127.0.0.1', 'connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (framing === 'length') lines.push(`content-length: ${body.length}`);
  else if (framing === 'chunked') lines.push('transfer-encoding: chunked');
  else if (framing !== 'none') lines.push(`content-length: ${Math.max(0, body.length + framing.wrongLength)}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  if (framing === 'chunked') {
    const chunk = body.length > 0 ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n')]) : Buffer.alloc(0);
    return Buffer.concat([head, chunk, Buffer.from('0\r\n\r\n')]);
  }
  return Buffer.concat([head, body]);
}

const framingArbitrary = fc.oneof(
  { weight: 40, arbitrary: fc.constant('length' as const) },
  { weight: 8, arbitrary: fc.constant('chunked' as const) },
  fc.constant('none' as const),
  // Shorter than claimed leaves the server waiting for the rest; longer sends a second request.
  fc.integer({ min: -3, max: 3 }).filter((delta) => delta !== 0).map((wrongLength) => ({ wrongLength })),
);

export function grpcWebRequest(tokens: FuzzTokens): fc.Arbitrary<Http1Input> {
  return pathArbitrary.chain((procedure) =>
    fc
      .record({
        method: fc.oneof({ weight: 12, arbitrary: fc.constant('POST') }, fc.constantFrom('GET', 'PUT', 'OPTIONS', 'HEAD')),
        contentType: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom('application/grpc-web', 'application/grpc-web+proto') },
          fc.constantFrom('application/grpc-web+json', 'application/grpc-web-text', 'application/grpc-web+thrift', 'application/grpc', 'application/json'),
          headerValue,
        ),
        json: fc.boolean(),
        xGrpcWeb: optional(fc.constantFrom('1', '0', 'yes'), 1),
        encoding: optional(encodingValue),
        timeout: optional(timeoutValue),
        authorization: authorization(tokens),
        extra: fc.dictionary(headerName, headerValue, { maxKeys: 2 }),
        framing: framingArbitrary,
      })
      .chain((input) =>
        (input.json ? envelopedBody(mutatedJson(jsonOf(procedure.input))) : envelopedBody(mutatedBytes(protobufOf(procedure.input)))).map((body) =>
          http1Request(
            `${input.method} ${procedure.path} HTTP/1.1`,
            withExtraHeaders(
              {
                'content-type': input.contentType,
                'x-grpc-web': input.xGrpcWeb,
                'grpc-encoding': input.encoding,
                'grpc-timeout': input.timeout,
                authorization: input.authorization,
              },
              input.extra,
            ),
            body,
            input.framing,
          ),
        ),
      ),
  );
}

export function connectRequest(tokens: FuzzTokens): fc.Arbitrary<Http1Input> {
  return pathArbitrary.chain((procedure) => {
    const json = mutatedJson(jsonOf(procedure.input));
    const binary = mutatedBytes(protobufOf(procedure.input));
    const unaryBody = fc.oneof(
      { weight: 3, arbitrary: json.map((body) => ({ body, contentType: 'application/json' })) },
      { weight: 2, arbitrary: binary.map((body) => ({ body, contentType: 'application/proto' })) },
      fc.tuple(fc.oneof(json, binary), fc.constantFrom('application/json; charset=utf-8', 'application/x-protobuf', 'text/json', 'application/json; charset=latin1', '')).map(([body, contentType]) => ({ body, contentType })),
      fc.tuple(fc.oneof(json, binary), headerValue).map(([body, contentType]) => ({ body, contentType })),
    );
    // Streaming Connect: enveloped messages and an end-of-stream flag (0x02).
    const streamBody = fc.oneof(
      envelopedBody(json).map((body) => ({ body, contentType: 'application/connect+json' })),
      envelopedBody(binary).map((body) => ({ body, contentType: 'application/connect+proto' })),
    );
    return fc
      .record({
        method: fc.oneof({ weight: 10, arbitrary: fc.constant('POST') }, fc.constantFrom('GET', 'PUT', 'DELETE', 'OPTIONS', 'HEAD')),
        payload: fc.oneof({ weight: 4, arbitrary: unaryBody }, streamBody),
        gzipBody: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, fc.constant(true)),
        protocolVersion: fc.oneof({ weight: 5, arbitrary: fc.constant('1') }, fc.constant(undefined), fc.constantFrom('2', '0', 'v1', ''), headerValue),
        encoding: optional(encodingValue),
        timeout: optional(fc.oneof(fc.constantFrom('100', '0', '-1', '99999999999', '1e3', 'abc', ''), headerValue)),
        authorization: authorization(tokens),
        query: optional(fc.constantFrom('?connect=v1&encoding=json&message=%7B%7D', '?connect=v1&encoding=proto&base64=1&message=CAE', '?encoding=json&message=%7B', '?connect=v2', '?compression=gzip&encoding=json&message=x'), 3),
        extra: fc.dictionary(headerName, headerValue, { maxKeys: 2 }),
        framing: framingArbitrary,
      })
      .map((input) => {
        const streaming = input.payload.contentType.startsWith('application/connect+');
        const body = input.gzipBody ? new Uint8Array(gzipSync(input.payload.body)) : input.payload.body;
        return http1Request(
          `${input.method} ${procedure.path}${input.query ?? ''} HTTP/1.1`,
          withExtraHeaders(
            {
              'content-type': input.payload.contentType,
              'connect-protocol-version': input.protocolVersion,
              [streaming ? 'connect-content-encoding' : 'content-encoding']: input.gzipBody ? 'gzip' : input.encoding,
              'connect-timeout-ms': input.timeout,
              authorization: input.authorization,
            },
            input.extra,
          ),
          body,
          input.framing,
        );
      });
  });
}

/** HTTP/1.1 that is malformed itself: request lines, header bytes, framing, smuggling shapes. */
export function malformedHttp1Request(tokens: FuzzTokens): fc.Arbitrary<Http1Input> {
  const target = fc.oneof(
    { weight: 3, arbitrary: pathArbitrary.map((procedure) => procedure.path) },
    fc.constantFrom('/readyz', '/healthz', '*', 'http://127.0.0.1/video.v1.VideoService/GetVideo', '', '/%00', '/\u00ff'),
    fc.string({ maxLength: 30 }),
  );
  const byteString = fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('latin1'));
  const requestLine = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom('POST', 'GET', 'PUT', 'PRI', 'CONNECT', 'TRACE', 'post', 'P\u00d6ST'), target, fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1 extra', '')).map((parts) => parts.join(' ')) },
    byteString,
  );
  const headerLine = fc.oneof(
    { weight: 3, arbitrary: fc.tuple(headerName, headerValue).map(([name, value]) => `${name}: ${value}`) },
    fc.constantFrom(
      'content-type: application/json',
      'content-type: application/grpc-web',
      `authorization: Bearer ${tokens.alice}`,
      'content-length: 5',
      'content-length: -1',
      'content-length: 99999999999999999999',
      'content-length: 1, 2',
      'transfer-encoding: chunked',
      'transfer-encoding: gzip, chunked',
      'transfer-encoding: chunked\r\ncontent-length: 3',
      ' folded: continuation',
      'no-colon-here',
      ': empty-name',
      `x-long: ${'a'.repeat(20_000)}`,
      'expect: 100-continue',
      'upgrade: h2c\r\nconnection: upgrade, http2-settings\r\nhttp2-settings: AAMAAABkAAQAoAAAAAIAAAAA',
    ),
    byteString,
  );
  return fc
    .tuple(requestLine, fc.array(headerLine, { maxLength: 5 }), fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constantFrom(Buffer.from('zz\r\n\r\n'), Buffer.from('5\r\nhello\r\n0\r\n\r\n'), Buffer.from('ffffffffffffffff\r\n'))), fc.boolean())
    .map(([line, headers, body, closeAfter]) => ({
      bytes: Buffer.concat([Buffer.from(`${[line, 'host: 127.0.0.1', ...headers, ...(closeAfter ? ['connection: close'] : [])].join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(body)]),
      complete: false,
    }));
}
