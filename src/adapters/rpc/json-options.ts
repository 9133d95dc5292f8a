// How request bodies in JSON (Connect, and gRPC / gRPC-Web with +json) are read.
//
// connect-node decodes a JSON body in @connectrpc/connect's createJsonSerialization:
// `textDecoder.decode(bytes)` then protobuf-es `fromJsonString(schema, text, jsonOptions)`,
// with `ignoreUnknownFields` defaulted to true. Two defaults let bad input through
// (issue 9), and both are fixed here, in the options the adapter already takes, rather
// than by a second parser of our own in front of connect's:
//
// - The default TextDecoder replaces invalid UTF-8 with U+FFFD, so a Connect JSON body was
//   stored with its bytes silently changed, while gRPC (binary) refuses the same bytes. A
//   fatal decoder throws instead, and connect turns a parse failure into INVALID_ARGUMENT.
// - With ignoreUnknownFields, protobuf-es also drops an enum *name* it does not know, so
//   `"status": "VIDEO_STATUS_BOGUS"` in a ListVideos filter listed every video and in a
//   Video fell back to the default. protobuf-es ties both to the one option (as protobuf's
//   C++ and Java parsers do), so unknown JSON field names are refused too: the protobuf
//   JSON mapping's default, and what Google's JSON APIs answer ("Unknown name"). For a
//   service called by hand with `buf curl`, a misspelt key (`"statsu"`) silently ignored is
//   the same bug as the ignored enum name. The price: a JSON client built from a newer
//   proto that sets a field this server does not know is refused rather than having the
//   field dropped; binary protobuf clients (gRPC, the default of connect clients) are not
//   affected, and unknown enum *numbers* are still accepted as proto3 requires.
import type { JsonReadOptions, JsonWriteOptions } from '@bufbuild/protobuf';

/** The adapter's jsonOptions: strict UTF-8 and no unknown names (see above). */
export const strictJsonOptions: Partial<JsonReadOptions & JsonWriteOptions> & { textDecoder: { decode(input?: Uint8Array): string } } = {
  ignoreUnknownFields: false,
  // fatal: throw on malformed UTF-8 instead of substituting U+FFFD. decode() holds no state
  // between calls, so one decoder serves every request.
  textDecoder: new TextDecoder('utf-8', { fatal: true }),
};
