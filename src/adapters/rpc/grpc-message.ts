// connect-es writes `grpc-message` with encodeURIComponent, which also escapes ':' ';' ','
// and '/'. @grpc/grpc-js decodes with decodeURI, which leaves exactly those escaped, so its
// callers would read "title%3A at most 300 characters". The gRPC spec escapes only bytes
// outside 0x20–0x7E and '%'; re-encoding that way reads correctly in every client. It is
// re-encoded where the trailer is made (encoded-answers.ts), and written the spec's way at
// once by the paths that make their own (unary-fast-path.ts, early-refusal.ts).

/** Percent-encodes `message` the way the gRPC HTTP/2 spec does (UTF-8, minimal escaping). */
export function encodeGrpcMessage(message: string): string {
  let encoded = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    encoded += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

function decodeLeniently(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A `grpc-message` value as connect encoded it (encodeURIComponent), re-encoded the spec's way. */
export function respecGrpcMessage(message: string): string {
  return encodeGrpcMessage(decodeLeniently(message));
}
