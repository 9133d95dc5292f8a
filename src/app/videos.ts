// The use cases: one method per RPC. Each authorizes the caller, checks input against
// the domain rules and calls the store once on the success path.
import { InvalidArgument, NotFound } from '../domain/errors.ts';
import { allowedFrom } from '../domain/lifecycle.ts';
import { newVideo } from '../domain/new-video.ts';
import type { Clock, IdSource, Precondition, StoreCallOptions, VideoStore } from '../domain/ports.ts';
import { checkFields, checkStatus, checkVideoId, type VideoDraft } from '../domain/validation.ts';
import { versionOfEtag, type Video } from '../domain/video.ts';
import { processLocalPageTokenCodec, type PageTokenCodec } from './page-token.ts';
import { ownerFor, type Principal } from './principal.ts';
import { maskedDraft, maskedPaths } from './update-mask.ts';

export const pageSizes = { default: 50, max: 1000 } as const;
export const batchGetMaxIds = 100;

export interface CreateVideoInput {
  /** Empty means the caller. */
  readonly ownerId: string;
  /** The request's client-assigned id; empty lets the service mint one. */
  readonly videoId: string;
  /** The same id given inside the video message instead; must agree with videoId when both are set. */
  readonly videoIdInVideo: string;
  readonly draft: VideoDraft;
}

export interface ListVideosInput {
  readonly ownerId: string;
  readonly pageSize: number;
  readonly pageToken: string;
  /** A status name to filter by; undefined lists all. */
  readonly status?: string;
}

export interface ListVideosResult {
  readonly videos: readonly Video[];
  /** Empty exactly when no more videos remain. */
  readonly nextPageToken: string;
}

export interface UpdateVideoInput {
  readonly ownerId: string;
  readonly videoId: string;
  /** Empty means unconditional. */
  readonly etag: string;
  /** Every field the client sent; only the masked ones are used. */
  readonly draft: VideoDraft;
  readonly paths: readonly string[];
}

export interface DeleteVideoInput {
  readonly ownerId: string;
  readonly videoId: string;
  readonly etag: string;
  readonly allowMissing: boolean;
}

export interface BatchGetResult {
  readonly videos: readonly Video[];
  readonly missingVideoIds: readonly string[];
}

/** The version a non-empty etag names; an etag this service never issued can match nothing. */
function expectedVersion(etag: string): number | undefined {
  if (etag === '') return undefined;
  return versionOfEtag(etag) ?? -1;
}

/**
 * The video use cases (SPEC §3), over the store, clock and id ports. Each takes the
 * call's StoreCallOptions (deadline, cancellation) and hands them to every store call.
 */
export class Videos {
  constructor(
    private readonly store: VideoStore,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    /** Page tokens keyed by the token secret (main.ts); the default's key lives in this process only. */
    private readonly pageTokens: PageTokenCodec = processLocalPageTokenCodec(),
    /** Told when a write here made a video claimable (a create, a give-back, a retry): Claims.wake. */
    private readonly workAvailable: () => void = () => {},
  ) {}

  /** CreateVideo: the owner is the caller unless an admin names another. */
  async create(principal: Principal, input: CreateVideoInput, options?: StoreCallOptions): Promise<Video> {
    const ownerId = ownerFor(principal, input.ownerId);
    if (input.videoId !== '' && input.videoIdInVideo !== '' && input.videoId !== input.videoIdInVideo) {
      throw new InvalidArgument('video_id', 'differs from video.video_id; set one of them, or both alike');
    }
    const videoId = input.videoId || input.videoIdInVideo || this.ids.newId();
    const video = await this.store.create(newVideo({ ownerId, videoId }, input.draft, this.clock.now()), options);
    if (video.status === 'UPLOADED') this.workAvailable();
    return video;
  }

  /** GetVideo: NotFound if absent. */
  async get(principal: Principal, ownerId: string, videoId: string, options?: StoreCallOptions): Promise<Video> {
    const key = { ownerId: ownerFor(principal, ownerId), videoId: checkVideoId(videoId) };
    const video = await this.store.get(key, options);
    if (video === undefined) throw NotFound.video(key);
    return video;
  }

  /** ListVideos: one keyset page, newest first. */
  async list(principal: Principal, input: ListVideosInput, options?: StoreCallOptions): Promise<ListVideosResult> {
    const ownerId = ownerFor(principal, input.ownerId);
    const status = input.status === undefined ? undefined : checkStatus(input.status);
    if (!Number.isInteger(input.pageSize) || input.pageSize < 0) {
      throw new InvalidArgument('page_size', 'must not be negative');
    }
    const limit = Math.min(input.pageSize || pageSizes.default, pageSizes.max);
    const scope = { ownerId, status };
    const after = input.pageToken === '' ? undefined : this.pageTokens.decode(input.pageToken, scope);
    const page = await this.store.list({ ownerId, status, limit, after }, options);
    return {
      videos: page.videos,
      nextPageToken: page.next === undefined ? '' : this.pageTokens.encode(page.next, scope),
    };
  }

  /** UpdateVideo: only the masked paths change, conditionally on etag and the lifecycle. */
  async update(principal: Principal, input: UpdateVideoInput, options?: StoreCallOptions): Promise<Video> {
    const key = { ownerId: ownerFor(principal, input.ownerId), videoId: checkVideoId(input.videoId) };
    const fields = checkFields(maskedDraft(input.draft, maskedPaths(input.paths)));
    const expect: Precondition = {
      version: expectedVersion(input.etag),
      statusIn: fields.status === undefined ? undefined : allowedFrom(fields.status),
    };
    const video = await this.store.update(key, { fields, updateTime: this.clock.now() }, expect, options);
    if (fields.status === 'UPLOADED') this.workAvailable();
    return video;
  }

  /** DeleteVideo: NotFound if absent unless allowMissing; a stale etag is refused. */
  async delete(principal: Principal, input: DeleteVideoInput, options?: StoreCallOptions): Promise<void> {
    const key = { ownerId: ownerFor(principal, input.ownerId), videoId: checkVideoId(input.videoId) };
    try {
      await this.store.delete(key, { version: expectedVersion(input.etag) }, options);
    } catch (error) {
      if (!(error instanceof NotFound && input.allowMissing)) throw error;
    }
  }

  /** BatchGetVideos: 1..100 distinct ids, one store round trip, results in request order. */
  async batchGet(
    principal: Principal,
    ownerId: string,
    videoIds: readonly string[],
    options?: StoreCallOptions,
  ): Promise<BatchGetResult> {
    const owner = ownerFor(principal, ownerId);
    if (videoIds.length === 0) throw new InvalidArgument('video_ids', 'required; name 1 to 100 ids');
    if (videoIds.length > batchGetMaxIds) throw new InvalidArgument('video_ids', `at most ${batchGetMaxIds} ids`);
    const seen = new Set<string>();
    videoIds.forEach((id, index) => {
      checkVideoId(id, `video_ids[${index}]`);
      if (seen.has(id)) throw new InvalidArgument(`video_ids[${index}]`, `duplicate id ${id}`);
      seen.add(id);
    });
    const found = new Map((await this.store.getMany(owner, videoIds, options)).map((video) => [video.videoId, video]));
    return {
      videos: videoIds.flatMap((id) => found.get(id) ?? []),
      missingVideoIds: videoIds.filter((id) => !found.has(id)),
    };
  }
}
