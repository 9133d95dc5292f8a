import { describe, expect, it } from 'vitest';
import { ownerFor, principalOf } from '../../src/app/principal.ts';
import { InvalidArgument, PermissionDenied } from '../../src/domain/errors.ts';

describe('principals and ownership', () => {
  const alice = principalOf('alice', undefined);
  const worker = principalOf('transcoder', 'videos:read videos:admin');

  it('read the admin role from a space-separated scope', () => {
    expect(alice.isAdmin).toBe(false);
    expect(worker.isAdmin).toBe(true);
    expect(principalOf('x', 'videos:administrator').isAdmin).toBe(false);
    expect(principalOf('x', 'videos:adminx videos:read').isAdmin).toBe(false);
  });

  it('an empty owner_id means the caller', () => {
    expect(ownerFor(alice, '')).toBe('alice');
  });

  it('a user may name themselves', () => {
    expect(ownerFor(alice, 'alice')).toBe('alice');
  });

  it('a user may not act on another owner', () => {
    expect(() => ownerFor(alice, 'bob')).toThrow(PermissionDenied);
    expect(() => ownerFor(alice, 'bob')).toThrow('caller alice may not act on videos of owner bob');
  });

  it('an admin may act on any owner', () => {
    expect(ownerFor(worker, 'bob')).toBe('bob');
  });

  it('a malformed owner_id is invalid whoever asks', () => {
    expect(() => ownerFor(worker, 'bob smith')).toThrow(InvalidArgument);
    expect(() => ownerFor(principalOf('has space', undefined), '')).toThrow(InvalidArgument);
  });
});
