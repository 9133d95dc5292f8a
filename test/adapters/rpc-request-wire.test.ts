// The hand-written decoder of the lean gRPC path's all-string requests reads every body it
// takes exactly as protobuf-es's fromBinary does, and leaves every other body to fromBinary.
import { create, fromBinary, toBinary, type DescMessage } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringFieldsDecoder } from '../../src/adapters/rpc/request-wire.ts';
import { VideoSchema } from '../../src/gen/video/v1/video_pb.ts';
import {
  BatchGetVideosRequestSchema,
  GetVideoRequestSchema,
  ListVideosRequestSchema,
  UpdateVideoRequestSchema,
  VideoService,
} from '../../src/gen/video/v1/video_service_pb.ts';

const text = fc.oneof(
  fc.constant(''),
  fc.uuid(),
  fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code)), maxLength: 300 }),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
);
const getVideo = fc.record({ ownerId: text, videoId: text }).map((init) => create(GetVideoRequestSchema, init));
const batchGet = fc
  .record({ ownerId: text, videoIds: fc.array(text, { maxLength: 8 }) })
  .map((init) => create(BatchGetVideosRequestSchema, init));

/** The hand decoder's reading of `bytes`, framed as in an envelope: other bytes before and after. */
function readPlain(schema: DescMessage, bytes: Uint8Array, offset = 0) {
  const framed = Buffer.concat([Buffer.alloc(offset, 0xff), bytes, Buffer.from([0xff, 0xff])]);
  return stringFieldsDecoder(schema)!(framed, offset, offset + bytes.length);
}

describe('the hand-written decoder of all-string requests', () => {
  it('is made for exactly the VideoService requests whose fields are all strings', () => {
    const taken = VideoService.methods.filter((method) => stringFieldsDecoder(method.input) !== undefined).map((method) => method.name);
    expect(taken).toEqual(['GetVideo', 'BatchGetVideos']);
    expect(stringFieldsDecoder(ListVideosRequestSchema)).toBeUndefined();
    expect(stringFieldsDecoder(UpdateVideoRequestSchema)).toBeUndefined();
    expect(stringFieldsDecoder(VideoSchema)).toBeUndefined();
  });

  it('reads a GetVideoRequest or BatchGetVideosRequest as fromBinary does, for any field values', () => {
    fc.assert(
      fc.property(fc.oneof(getVideo, batchGet), fc.nat({ max: 7 }), (request, offset) => {
        const schema = request.$typeName === GetVideoRequestSchema.typeName ? GetVideoRequestSchema : BatchGetVideosRequestSchema;
        const bytes = toBinary(schema, request);
        // What the lean path reads: the hand decoder's message, or fromBinary's when it gives up.
        const message = readPlain(schema, bytes, offset) ?? fromBinary(schema, bytes);
        expect(message).toStrictEqual(fromBinary(schema, bytes));
        expect(message).toStrictEqual(request);
      }),
      { numRuns: 1000 },
    );
  });

  it('takes the plain requests itself: ASCII ids, fields in any order and repeated', () => {
    const bytes = toBinary(GetVideoRequestSchema, create(GetVideoRequestSchema, { ownerId: 'owner-1', videoId: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b' }));
    expect(readPlain(GetVideoRequestSchema, bytes)).toStrictEqual(fromBinary(GetVideoRequestSchema, bytes));
    // video_id first, then owner_id twice: the last one wins, as in fromBinary.
    const reordered = Buffer.from([0x12, 1, 0x76, 0x0a, 1, 0x61, 0x0a, 2, 0x62, 0x63]);
    expect(readPlain(GetVideoRequestSchema, reordered)).toStrictEqual(
      create(GetVideoRequestSchema, { ownerId: 'bc', videoId: 'v' }),
    );
    expect(fromBinary(GetVideoRequestSchema, reordered)).toStrictEqual(create(GetVideoRequestSchema, { ownerId: 'bc', videoId: 'v' }));
    // A 200-byte id has a two-byte length.
    const long = toBinary(GetVideoRequestSchema, create(GetVideoRequestSchema, { videoId: 'x'.repeat(200) }));
    expect(readPlain(GetVideoRequestSchema, long)).toStrictEqual(create(GetVideoRequestSchema, { videoId: 'x'.repeat(200) }));
    expect(readPlain(GetVideoRequestSchema, new Uint8Array())).toStrictEqual(create(GetVideoRequestSchema));
  });

  it('gives up on what it does not read itself: non-ASCII text, unknown fields, other wire types, truncation', () => {
    const giveUp = (bytes: number[]) => readPlain(GetVideoRequestSchema, Uint8Array.from(bytes));
    expect(giveUp([0x0a, 2, 0xc3, 0xa9])).toBeUndefined(); // 'é'
    expect(giveUp([0x1a, 1, 0x61])).toBeUndefined(); // field 3
    expect(giveUp([0x08, 1])).toBeUndefined(); // field 1 as a varint
    expect(giveUp([0x0a, 5, 0x61])).toBeUndefined(); // promises 5 bytes, has 1
    expect(giveUp([0x0a])).toBeUndefined(); // a tag without its length
    expect(giveUp([0x0a, 0x80, 0x80, 0x01])).toBeUndefined(); // a three-byte length
    // A 32 768-byte id (a three-byte length): read as if its length had two bytes, the id
    // would end 16 385 bytes early and its tail would read as a whole owner_id field; read
    // whole, it is not UTF-8, and protobuf-es refuses the request.
    const id = Buffer.alloc(32_768, 'a');
    id.set([0x0a, 0xfe, 0x7f], 16_383);
    const bytes = Buffer.concat([Buffer.from([0x12, 0x80, 0x80, 0x02]), id]);
    expect(readPlain(GetVideoRequestSchema, bytes)).toBeUndefined();
    expect(() => fromBinary(GetVideoRequestSchema, bytes)).toThrow(/utf-8/);
  });

  it('never reads any body differently from fromBinary: what it takes, fromBinary reads the same', () => {
    const nearRequest = fc.array(
      fc.oneof(
        fc.constantFrom(0x0a, 0x12, 0x1a, 0x08, 0x10, 0x80, 0x01, 0x00, 0x7f, 0xc3, 0xa9, 0x24),
        fc.integer({ min: 0, max: 255 }),
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(fc.constantFrom(GetVideoRequestSchema, BatchGetVideosRequestSchema), nearRequest, (schema, raw) => {
        const bytes = Uint8Array.from(raw);
        const plain = readPlain(schema, bytes);
        if (plain !== undefined) expect(plain).toStrictEqual(fromBinary(schema, bytes));
      }),
      { numRuns: 5000 },
    );
  });
});
