// The compile-time proof behind the field mappings (issue 11): `npm test` type-checks this
// file first, and the @ts-expect-error line fails that check if a missing key ever compiles.
import { describe, expect, it } from 'vitest';
import { mapsEveryField } from '../../src/domain/exhaustive.ts';
import type { VideoFields } from '../../src/domain/video.ts';

describe('mapsEveryField', () => {
  it('compiles when nothing is missing and names what is', () => {
    expect(mapsEveryField<Exclude<keyof VideoFields, keyof VideoFields>>()).toBeUndefined();
    // @ts-expect-error: a mapping that leaves out `title` does not compile
    mapsEveryField<Exclude<keyof VideoFields, Exclude<keyof VideoFields, 'title'>>>();
  });
});
