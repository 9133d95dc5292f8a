// Every VideoService RPC through every kind of client another team might use, over a
// real socket: one table-driven suite, so each client kind proves the same behaviour,
// on each store (SQLite in memory, DynamoDB on dynalite).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code } from '@connectrpc/connect';
import { v4 as uuidV4, v7 as uuidV7 } from 'uuid';
import { clientKinds, failureOf, videoApi, type VideoApi } from '../support/rpc-clients.ts';
import { startTestService, testStoreKinds, type TestService } from '../support/rpc-service.ts';

const fullVideo = {
  originalName: 'holiday.mov',
  title: 'Holiday in the Alps',
  status: 'UPLOADED',
  originalKey: 'originals/holiday.mov',
  transcodedKey: '',
  thumbKey: 'thumbs/holiday.jpg',
  durationSeconds: 12.5,
  format: 'mov',
  width: 1920,
  height: 1080,
  sizeBytes: '18446744073709551615',
  labels: { trip: 'alps', camera: 'x100' },
};

describe.each(testStoreKinds)('on %s', (store) => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ store });
  });
  afterAll(async () => {
    await service?.stop();
  });

  describe.each(clientKinds)('every RPC through %s', (kind) => {
    let api: VideoApi;
    let owner: string;
    beforeAll(async () => {
      owner = `user-${kind.replace(/[^a-z0-9]/gi, '').toLowerCase()}`;
      api = videoApi(kind, service.url, await service.mint(owner));
    });
    afterAll(() => api.close());

    it('CreateVideo stores every field and GetVideo reads the same video back', async () => {
      const videoId = uuidV4();
      const created = await api.create(fullVideo, videoId);
      expect(created).toMatchObject({ ...fullVideo, ownerId: owner, videoId, etag: 'v1' });
      expect(created.createTimeMs).toBeGreaterThan(0);
      expect(created.updateTimeMs).toBe(created.createTimeMs);
      expect(await api.get('', videoId)).toEqual(created);
    });

    it('CreateVideo mints a UUIDv7 and fills the defaults; output-only fields sent are ignored', async () => {
      const created = await api.create({ originalName: 'clip.mp4', etag: 'v99' });
      expect(created.videoId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(created).toMatchObject({ title: 'clip.mp4', status: 'UPLOADED', etag: 'v1', sizeBytes: '0' });
    });

    it('CreateVideo with an existing id is ALREADY_EXISTS and overwrites nothing', async () => {
      const videoId = uuidV7();
      await api.create({ originalName: 'first.mp4' }, videoId);
      const failure = await failureOf(api.create({ originalName: 'second.mp4' }, videoId));
      expect(failure.code).toBe(Code.AlreadyExists);
      expect(failure.message).toContain(videoId);
      expect((await api.get(owner, videoId)).originalName).toBe('first.mp4');
    });

    it('ListVideos pages newest first and returns every video exactly once', async () => {
      const pager = `${owner}-pages`;
      const pagerApi = videoApi(kind, service.url, await service.mint(pager));
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await pagerApi.create({ originalName: `v${i}.mp4` })).videoId);
      const seen: string[] = [];
      let pageToken = '';
      let pages = 0;
      do {
        const page = await pagerApi.list({ pageSize: 2, pageToken });
        expect(page.videos.length).toBe(page.nextPageToken === '' ? 1 : 2);
        seen.push(...page.videos.map((video) => video.videoId));
        pageToken = page.nextPageToken;
        pages++;
      } while (pageToken !== '');
      expect(pages).toBe(3);
      expect(seen).toEqual([...ids].reverse());
      const filtered = await pagerApi.list({ status: 'COMPLETED' });
      expect(filtered).toEqual({ videos: [], nextPageToken: '' });
      pagerApi.close();
    });

    it('UpdateVideo changes only the masked paths, honours a current etag and refuses a stale one', async () => {
      const created = await api.create(fullVideo);
      const updated = await api.update(
        { videoId: created.videoId, etag: created.etag, title: 'Renamed', format: 'ignored-not-masked', status: 'TRANSCODING' },
        ['title', 'status'],
      );
      expect(updated).toMatchObject({ title: 'Renamed', status: 'TRANSCODING', format: 'mov', etag: 'v2' });
      expect(updated.updateTimeMs).toBeGreaterThanOrEqual(created.updateTimeMs);
      const stale = await failureOf(api.update({ videoId: created.videoId, etag: created.etag, title: 'Lost' }, ['title']));
      expect(stale.code).toBe(Code.Aborted);
      expect(stale.message).toMatch(/^etag: /);
      expect((await api.get('', created.videoId)).title).toBe('Renamed');
    });

    it('UpdateVideo sets failure_reason with the status, and an empty one clears it', async () => {
      const created = await api.create(fullVideo);
      expect(created.failureReason).toBe('');
      const failed = await api.update({ videoId: created.videoId, status: 'FAILED', failureReason: 'exit 137: out of memory' }, ['status', 'failure_reason']);
      expect(failed).toMatchObject({ status: 'FAILED', failureReason: 'exit 137: out of memory', etag: 'v2' });
      expect((await api.get('', created.videoId)).failureReason).toBe('exit 137: out of memory');
      const cleared = await api.update({ videoId: created.videoId }, ['failure_reason']);
      expect(cleared).toMatchObject({ status: 'FAILED', failureReason: '', etag: 'v3' });
      const refused = await failureOf(api.update({ videoId: created.videoId, failureReason: 'two\nlines' }, ['failure_reason']));
      expect(refused.code).toBe(Code.InvalidArgument);
      expect(refused.message).toBe('failure_reason: must not contain control characters');
    });

    it('DeleteVideo removes the video, refuses a stale etag, and allow_missing makes a repeat succeed', async () => {
      const created = await api.create({ originalName: 'gone.mp4' });
      const stale = await failureOf(api.delete({ videoId: created.videoId, etag: 'v7' }));
      expect(stale.code).toBe(Code.Aborted);
      await api.delete({ videoId: created.videoId, etag: created.etag });
      expect((await failureOf(api.get('', created.videoId))).code).toBe(Code.NotFound);
      expect((await failureOf(api.delete({ videoId: created.videoId }))).code).toBe(Code.NotFound);
      await api.delete({ videoId: created.videoId, allowMissing: true });
    });

    it('BatchGetVideos returns the found videos in request order and names the missing ones', async () => {
      const a = await api.create({ originalName: 'a.mp4' });
      const b = await api.create({ originalName: 'b.mp4' });
      const missing = uuidV7();
      const result = await api.batchGet('', [b.videoId, missing, a.videoId]);
      expect(result.videos.map((video) => video.videoId)).toEqual([b.videoId, a.videoId]);
      expect(result.missingVideoIds).toEqual([missing]);
    });
  });
});
