import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { principalOf } from '../../src/app/principal.ts';
import { Videos } from '../../src/app/videos.ts';
import { uuidV7Ids } from '../../src/adapters/system/ids.ts';
import { SqliteVideoStore } from '../../src/adapters/sqlite/store.ts';
import {
  AlreadyExists,
  IllegalTransition,
  InvalidArgument,
  NotFound,
  PermissionDenied,
  StaleEtag,
  StoreUnavailable,
} from '../../src/domain/errors.ts';
import type { Clock, VideoStore } from '../../src/domain/ports.ts';
import { etagOf, type Video } from '../../src/domain/video.ts';
import { rejection } from '../support/rejection.ts';

const alice = principalOf('alice', undefined);
const bob = principalOf('bob', undefined);
const worker = principalOf('transcoder', 'videos:admin');

/** A clock that moves one millisecond per reading, so every video has its own time. */
function steppingClock(start = Date.UTC(2026, 10, 25)): Clock {
  let next = start;
  return { now: () => new Date(next++) };
}

let store: VideoStore;
let videos: Videos;

beforeEach(async () => {
  store = await SqliteVideoStore.open({ path: ':memory:' });
  videos = new Videos(store, steppingClock(), uuidV7Ids);
});
afterEach(() => store.close());

const create = (principal = alice, originalName = 'clip.mp4', ownerId = '') =>
  videos.create(principal, { ownerId, videoId: '', videoIdInVideo: '', draft: { originalName } });

describe('CreateVideo', () => {
  it('stores the caller as owner and mints a UUIDv7', async () => {
    const video = await create();
    expect(video.ownerId).toBe('alice');
    expect(video.videoId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await videos.get(alice, '', video.videoId)).toEqual(video);
  });

  it('uses a client-assigned id, and a retry with it is refused with ALREADY_EXISTS, nothing overwritten', async () => {
    const videoId = '01936f3e-7a4b-7c3d-8e2f-123456789abc';
    const first = await videos.create(alice, { ownerId: '', videoId, videoIdInVideo: '', draft: { originalName: 'a.mp4' } });
    expect(first.videoId).toBe(videoId);
    const error = await rejection(
      videos.create(alice, { ownerId: '', videoId, videoIdInVideo: '', draft: { originalName: 'b.mp4' } }),
    );
    expect(error).toBeInstanceOf(AlreadyExists);
    expect((await videos.get(alice, '', videoId)).originalName).toBe('a.mp4');
  });

  it('takes the id from the video message too, and refuses two different ids', async () => {
    const videoId = '01936f3e-7a4b-7c3d-8e2f-123456789abc';
    const video = await videos.create(alice, { ownerId: '', videoId: '', videoIdInVideo: videoId, draft: { originalName: 'a' } });
    expect(video.videoId).toBe(videoId);
    const error = await rejection(
      videos.create(alice, {
        ownerId: '',
        videoId,
        videoIdInVideo: '01936f3e-7a4b-7c3d-8e2f-000000000000',
        draft: { originalName: 'a' },
      }),
    );
    expect(error).toEqual(new InvalidArgument('video_id', 'differs from video.video_id; set one of them, or both alike'));
  });

  it('refuses a user creating for another owner, allows an admin', async () => {
    expect(await rejection(create(alice, 'a', 'bob'))).toBeInstanceOf(PermissionDenied);
    expect((await create(worker, 'a', 'bob')).ownerId).toBe('bob');
  });

  it('refuses invalid input naming the field', async () => {
    const error = await rejection(create(alice, ''));
    expect(error).toEqual(new InvalidArgument('original_name', 'required'));
    const badId = await rejection(
      videos.create(alice, { ownerId: '', videoId: 'NOPE', videoIdInVideo: '', draft: { originalName: 'a' } }),
    );
    expect(badId.message).toMatch(/^video_id: must be a UUID/);
  });
});

describe('GetVideo', () => {
  it('is NOT_FOUND for an absent video, INVALID_ARGUMENT for a malformed id', async () => {
    const missing = await rejection(videos.get(alice, '', '01936f3e-7a4b-7c3d-8e2f-123456789abc'));
    expect(missing).toBeInstanceOf(NotFound);
    expect(missing.message).toBe('video 01936f3e-7a4b-7c3d-8e2f-123456789abc of owner alice not found');
    expect(await rejection(videos.get(alice, '', 'x'))).toBeInstanceOf(InvalidArgument);
  });

  it('lets an owner and an admin read, and denies another user', async () => {
    const video = await create();
    expect(await videos.get(alice, 'alice', video.videoId)).toEqual(video);
    expect(await videos.get(worker, 'alice', video.videoId)).toEqual(video);
    expect(await rejection(videos.get(bob, 'alice', video.videoId))).toBeInstanceOf(PermissionDenied);
  });

  it("does not find another owner's video under the caller's own name", async () => {
    const video = await create();
    expect(await rejection(videos.get(bob, '', video.videoId))).toBeInstanceOf(NotFound);
  });
});

describe('ListVideos', () => {
  async function createMany(count: number): Promise<Video[]> {
    const made: Video[] = [];
    for (let i = 0; i < count; i++) made.push(await create(alice, `v${i}`));
    return made;
  }

  it('returns newest first and walks every page exactly once', async () => {
    const made = await createMany(12);
    const seen: string[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const page = await videos.list(alice, { ownerId: '', pageSize: 5, pageToken });
      expect(page.videos.length).toBe(pages < 2 ? 5 : 2);
      seen.push(...page.videos.map((video) => video.originalName));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken !== '');
    expect(pages).toBe(3);
    expect(seen).toEqual(made.map((video) => video.originalName).reverse());
  });

  it('gives an empty next_page_token on a last page that is exactly full', async () => {
    await createMany(4);
    const first = await videos.list(alice, { ownerId: '', pageSize: 2, pageToken: '' });
    const second = await videos.list(alice, { ownerId: '', pageSize: 2, pageToken: first.nextPageToken });
    expect(second.videos.length).toBe(2);
    expect(second.nextPageToken).toBe('');
  });

  it('uses 50 for page_size 0 and caps it at 1000', async () => {
    await createMany(51);
    expect((await videos.list(alice, { ownerId: '', pageSize: 0, pageToken: '' })).videos.length).toBe(50);
    expect((await videos.list(alice, { ownerId: '', pageSize: 5000, pageToken: '' })).videos.length).toBe(51);
  });

  it('refuses a negative page_size', async () => {
    expect(await rejection(videos.list(alice, { ownerId: '', pageSize: -1, pageToken: '' }))).toEqual(
      new InvalidArgument('page_size', 'must not be negative'),
    );
  });

  it('filters by status', async () => {
    const [first] = await createMany(3);
    await videos.update(alice, { ownerId: '', videoId: first!.videoId, etag: '', draft: { status: 'FAILED' }, paths: ['status'] });
    const failed = await videos.list(alice, { ownerId: '', pageSize: 10, pageToken: '', status: 'FAILED' });
    expect(failed.videos.map((video) => video.videoId)).toEqual([first!.videoId]);
    expect((await videos.list(alice, { ownerId: '', pageSize: 10, pageToken: '', status: 'UPLOADED' })).videos.length).toBe(2);
  });

  it('refuses a token used for another owner or filter, and a tampered one', async () => {
    await createMany(3);
    const page = await videos.list(alice, { ownerId: '', pageSize: 1, pageToken: '' });
    const asAdminForBob = await rejection(videos.list(worker, { ownerId: 'bob', pageSize: 1, pageToken: page.nextPageToken }));
    expect(asAdminForBob).toBeInstanceOf(InvalidArgument);
    const otherFilter = await rejection(
      videos.list(alice, { ownerId: '', pageSize: 1, pageToken: page.nextPageToken, status: 'UPLOADED' }),
    );
    expect(otherFilter).toBeInstanceOf(InvalidArgument);
    const tampered = await rejection(videos.list(alice, { ownerId: '', pageSize: 1, pageToken: `x${page.nextPageToken}` }));
    expect(tampered.message).toMatch(/^page_token: /);
  });

  it("denies listing another owner's videos, allows an admin", async () => {
    await createMany(2);
    expect(await rejection(videos.list(bob, { ownerId: 'alice', pageSize: 0, pageToken: '' }))).toBeInstanceOf(PermissionDenied);
    expect((await videos.list(worker, { ownerId: 'alice', pageSize: 0, pageToken: '' })).videos.length).toBe(2);
  });
});

describe('UpdateVideo', () => {
  it('changes only the masked fields, and bumps update time and etag', async () => {
    const video = await create();
    const updated = await videos.update(alice, {
      ownerId: '',
      videoId: video.videoId,
      etag: '',
      draft: { title: 'New title', format: 'ignored-not-masked' },
      paths: ['title'],
    });
    expect(updated.title).toBe('New title');
    expect(updated.format).toBe('');
    expect(updated.updateTime.getTime()).toBeGreaterThan(video.updateTime.getTime());
    expect(etagOf(updated.version)).not.toBe(etagOf(video.version));
    expect(updated.createTime).toEqual(video.createTime);
  });

  it('refuses a stale etag with ABORTED and changes nothing', async () => {
    const video = await create();
    const first = await videos.update(alice, { ownerId: '', videoId: video.videoId, etag: etagOf(video.version), draft: { title: 'a' }, paths: ['title'] });
    const error = await rejection(
      videos.update(alice, { ownerId: '', videoId: video.videoId, etag: etagOf(video.version), draft: { title: 'b' }, paths: ['title'] }),
    );
    expect(error).toBeInstanceOf(StaleEtag);
    expect(await videos.get(alice, '', video.videoId)).toEqual(first);
  });

  it('treats an etag it never issued as stale', async () => {
    const video = await create();
    const error = await rejection(
      videos.update(alice, { ownerId: '', videoId: video.videoId, etag: 'W/"1"', draft: { title: 'b' }, paths: ['title'] }),
    );
    expect(error).toBeInstanceOf(StaleEtag);
  });

  it('refuses an illegal status change with FAILED_PRECONDITION naming both states', async () => {
    const video = await create();
    const error = await rejection(
      videos.update(alice, { ownerId: '', videoId: video.videoId, etag: '', draft: { status: 'COMPLETED' }, paths: ['status'] }),
    );
    expect(error).toBeInstanceOf(IllegalTransition);
    expect(error.message).toBe('status: cannot change from UPLOADED to COMPLETED');
  });

  it('lets a worker claim UPLOADED → TRANSCODING with the etag, and only once', async () => {
    const video = await create();
    const claim = { ownerId: 'alice', videoId: video.videoId, etag: etagOf(video.version), draft: { status: 'TRANSCODING' }, paths: ['status'] };
    const results = await Promise.allSettled([videos.update(worker, claim), videos.update(worker, claim)]);
    expect(results.filter((result) => result.status === 'fulfilled').length).toBe(1);
    const loser = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect(loser.reason).toBeInstanceOf(StaleEtag);
  });

  it('refuses an empty, unknown or immutable mask', async () => {
    const video = await create();
    for (const paths of [[], ['nope'], ['owner_id'], ['create_time']]) {
      const error = await rejection(videos.update(alice, { ownerId: '', videoId: video.videoId, etag: '', draft: {}, paths }));
      expect(error).toBeInstanceOf(InvalidArgument);
      expect(error.message).toMatch(/^update_mask: /);
    }
  });

  it('with * replaces every mutable field, so a missing original_name is refused', async () => {
    const video = await create();
    const error = await rejection(videos.update(alice, { ownerId: '', videoId: video.videoId, etag: '', draft: { title: 't' }, paths: ['*'] }));
    expect(error).toEqual(new InvalidArgument('original_name', 'required'));
  });

  it('is NOT_FOUND for an absent video, PERMISSION_DENIED across owners', async () => {
    const missing = await rejection(
      videos.update(alice, { ownerId: '', videoId: '01936f3e-7a4b-7c3d-8e2f-123456789abc', etag: '', draft: { title: 'a' }, paths: ['title'] }),
    );
    expect(missing).toBeInstanceOf(NotFound);
    const video = await create();
    const denied = await rejection(videos.update(bob, { ownerId: 'alice', videoId: video.videoId, etag: '', draft: { title: 'a' }, paths: ['title'] }));
    expect(denied).toBeInstanceOf(PermissionDenied);
    const byAdmin = await videos.update(worker, { ownerId: 'alice', videoId: video.videoId, etag: '', draft: { title: 'a' }, paths: ['title'] });
    expect(byAdmin.title).toBe('a');
  });
});

describe('DeleteVideo', () => {
  it('deletes, then is NOT_FOUND unless allow_missing', async () => {
    const video = await create();
    await videos.delete(alice, { ownerId: '', videoId: video.videoId, etag: '', allowMissing: false });
    expect(await rejection(videos.get(alice, '', video.videoId))).toBeInstanceOf(NotFound);
    expect(await rejection(videos.delete(alice, { ownerId: '', videoId: video.videoId, etag: '', allowMissing: false }))).toBeInstanceOf(NotFound);
    await expect(videos.delete(alice, { ownerId: '', videoId: video.videoId, etag: '', allowMissing: true })).resolves.toBeUndefined();
  });

  it('refuses a stale etag and keeps the video', async () => {
    const video = await create();
    await videos.update(alice, { ownerId: '', videoId: video.videoId, etag: '', draft: { title: 'x' }, paths: ['title'] });
    const error = await rejection(videos.delete(alice, { ownerId: '', videoId: video.videoId, etag: etagOf(video.version), allowMissing: true }));
    expect(error).toBeInstanceOf(StaleEtag);
    expect((await videos.get(alice, '', video.videoId)).title).toBe('x');
  });

  it('denies another user, allows an admin', async () => {
    const video = await create();
    expect(await rejection(videos.delete(bob, { ownerId: 'alice', videoId: video.videoId, etag: '', allowMissing: false }))).toBeInstanceOf(PermissionDenied);
    await videos.delete(worker, { ownerId: 'alice', videoId: video.videoId, etag: '', allowMissing: false });
    expect(await rejection(videos.get(alice, '', video.videoId))).toBeInstanceOf(NotFound);
  });
});

describe('BatchGetVideos', () => {
  it('returns videos in request order and lists the missing ids', async () => {
    const a = await create(alice, 'a');
    const b = await create(alice, 'b');
    const missing = '01936f3e-7a4b-7c3d-8e2f-123456789abc';
    const result = await videos.batchGet(alice, '', [b.videoId, missing, a.videoId]);
    expect(result.videos.map((video) => video.originalName)).toEqual(['b', 'a']);
    expect(result.missingVideoIds).toEqual([missing]);
  });

  it('refuses no ids, more than 100, duplicates and malformed ids', async () => {
    const id = (n: number) => `01936f3e-7a4b-7c3d-8e2f-${n.toString(16).padStart(12, '0')}`;
    expect(await rejection(videos.batchGet(alice, '', []))).toEqual(new InvalidArgument('video_ids', 'required; name 1 to 100 ids'));
    expect((await videos.batchGet(alice, '', Array.from({ length: 100 }, (_, n) => id(n)))).missingVideoIds.length).toBe(100);
    expect(await rejection(videos.batchGet(alice, '', Array.from({ length: 101 }, (_, n) => id(n))))).toEqual(
      new InvalidArgument('video_ids', 'at most 100 ids'),
    );
    expect(await rejection(videos.batchGet(alice, '', [id(1), id(2), id(1)]))).toEqual(
      new InvalidArgument('video_ids[2]', `duplicate id ${id(1)}`),
    );
    expect((await rejection(videos.batchGet(alice, '', [id(1), 'bad']))).message).toMatch(/^video_ids\[1\]: must be a UUID/);
  });

  it("denies another owner's batch, allows an admin", async () => {
    const a = await create();
    expect(await rejection(videos.batchGet(bob, 'alice', [a.videoId]))).toBeInstanceOf(PermissionDenied);
    expect((await videos.batchGet(worker, 'alice', [a.videoId])).videos).toEqual([a]);
  });
});

describe('a store that is down', () => {
  it('surfaces as StoreUnavailable from every use case', async () => {
    const down = new StoreUnavailable();
    const failing: VideoStore = {
      create: () => Promise.reject(down),
      get: () => Promise.reject(down),
      getMany: () => Promise.reject(down),
      list: () => Promise.reject(down),
      update: () => Promise.reject(down),
      delete: () => Promise.reject(down),
      claimNext: () => Promise.reject(down),
      renewClaim: () => Promise.reject(down),
      ping: () => Promise.reject(down),
      close: () => Promise.resolve(),
    };
    const offline = new Videos(failing, steppingClock(), uuidV7Ids);
    const id = '01936f3e-7a4b-7c3d-8e2f-123456789abc';
    const calls = [
      offline.create(alice, { ownerId: '', videoId: '', videoIdInVideo: '', draft: { originalName: 'a' } }),
      offline.get(alice, '', id),
      offline.list(alice, { ownerId: '', pageSize: 0, pageToken: '' }),
      offline.update(alice, { ownerId: '', videoId: id, etag: '', draft: { title: 'a' }, paths: ['title'] }),
      offline.delete(alice, { ownerId: '', videoId: id, etag: '', allowMissing: true }),
      offline.batchGet(alice, '', [id]),
    ];
    for (const call of calls) expect(await rejection(call)).toBe(down);
  });
});
