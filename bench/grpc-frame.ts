// The gRPC length-prefixed message: a flag byte (0 = uncompressed), a 4-byte big-endian
// length, then the protobuf bytes. h2load sends it as a request body, byte for byte.
import { toBinary, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import { create } from '@bufbuild/protobuf';

/** The framed request body of one unary gRPC call. */
export function grpcFrame<Desc extends DescMessage>(schema: Desc, init: MessageInitShape<Desc>): Buffer {
  const message = toBinary(schema, create(schema, init));
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

/** The protobuf bytes of the first message in a gRPC response body (undefined when there is none). */
export function firstMessage(body: Buffer): Buffer | undefined {
  if (body.length < 5) return undefined;
  const length = body.readUInt32BE(1);
  return body.subarray(5, 5 + length);
}
