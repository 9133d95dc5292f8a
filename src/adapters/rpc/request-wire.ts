// A hand-written decoder for the lean gRPC path's requests whose fields are all strings
// (GetVideoRequest, BatchGetVideosRequest, …): the answer side's video-wire.ts, read the other
// way. protobuf-es's fromBinary walks the message through its reflection API and allocates
// Maps for every call: 0.86 µs and ~1 KB for a GetVideoRequest, 2.4 % of the service's CPU
// samples at peak GetVideo load (issue 10), against ~0.1 µs here.
//
// It takes only the plainest encoding: one-byte tags of the message's own fields, each
// length-delimited, lengths below 16 KiB, ASCII text. Anything else (an unknown or repeated
// field number of another wire type, a longer varint, a truncated body, a non-ASCII byte)
// makes it give up (undefined), and the caller decodes with fromBinary, so every request
// protobuf-es would refuse, or read differently, is read by protobuf-es itself.
import { ScalarType, type DescField, type DescMessage, type Message } from '@bufbuild/protobuf';

/** Decodes the message in `bytes[start, end)`, or undefined when fromBinary must. */
export type StringFieldsDecoder = (bytes: Buffer, start: number, end: number) => Message | undefined;

interface Slot {
  readonly name: string;
  readonly repeated: boolean;
}

const lengthDelimited = 2;
// Field numbers 1..15 with wire type 2 have one-byte tags.
const largestOneByteField = 15;
// proto3's implicit presence: the field reads '' when absent (no `undefined` to keep).
const implicitPresence = 2;

/** The decoder for messages of `schema`, or undefined when a field is not a (repeated) string. */
export function stringFieldsDecoder(schema: DescMessage): StringFieldsDecoder | undefined {
  const slots: Array<Slot | undefined> = [];
  for (const field of schema.fields) {
    const slot = slotOf(field);
    if (slot === undefined) return undefined;
    slots[field.number] = slot;
  }
  const typeName = schema.typeName;
  const fields = schema.fields.map((field) => slots[field.number]!);

  return (bytes, start, end) => {
    const message: Record<string, unknown> = { $typeName: typeName };
    for (const { name, repeated } of fields) message[name] = repeated ? [] : '';
    let at = start;
    while (at < end) {
      const tag = bytes[at]!;
      const slot = (tag & 7) === lengthDelimited ? slots[tag >> 3] : undefined;
      if (slot === undefined) return undefined;
      let length = bytes[at + 1];
      at += 2;
      if (length === undefined) return undefined;
      if (length > 0x7f) {
        const high = bytes[at];
        if (high === undefined || high > 0x7f) return undefined;
        length = (length & 0x7f) | (high << 7);
        at += 1;
      }
      const stop = at + length;
      if (stop > end) return undefined;
      for (let i = at; i < stop; i++) if (bytes[i]! > 0x7f) return undefined;
      const text = bytes.toString('latin1', at, stop);
      at = stop;
      if (slot.repeated) (message[slot.name] as string[]).push(text);
      else message[slot.name] = text;
    }
    return message as Message;
  };
}

function slotOf(field: DescField): Slot | undefined {
  if (field.number > largestOneByteField || field.oneof !== undefined) return undefined;
  if (field.fieldKind === 'scalar' && field.scalar === ScalarType.STRING && field.presence === implicitPresence) {
    return { name: field.localName, repeated: false };
  }
  if (field.fieldKind === 'list' && field.listKind === 'scalar' && field.scalar === ScalarType.STRING) {
    return { name: field.localName, repeated: true };
  }
  return undefined;
}
