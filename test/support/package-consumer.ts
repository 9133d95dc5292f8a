// The files of a project another team would write against `videosvc/client`: a JavaScript
// program run by plain node, a TypeScript module that uses the client's types, one with
// deliberate mistakes, and the tsconfigs a consumer might have (Node's own resolution and a
// bundler's). Kept as text: they type-check against the installed package, not this checkout.

/** Calls the service at VIDEOSVC_URL over each protocol and prints what it saw as one JSON line. */
const callingProgram = `
import { Code, ConnectError, createVideoServiceClient, VideoStatus } from 'videosvc/client';

const baseUrl = process.env.VIDEOSVC_URL;
const token = process.env.VIDEOSVC_TOKEN;
const created = await createVideoServiceClient({ baseUrl, token }).createVideo({
  video: { originalName: 'from-the-tarball.mp4', title: 'Installed from a tarball' },
});
const seen = {};
for (const protocol of ['grpc', 'connect', 'grpc-web']) {
  const client = createVideoServiceClient({ baseUrl, token: () => token, protocol });
  const { video } = await client.getVideo({ videoId: created.video.videoId });
  seen[protocol] = { ownerId: video.ownerId, videoId: video.videoId, title: video.title, status: VideoStatus[video.status] };
}
let refused;
try {
  await createVideoServiceClient({ baseUrl, token: 'not-a-token' }).getVideo({ videoId: created.video.videoId });
} catch (error) {
  refused = error instanceof ConnectError ? Code[error.code] : String(error);
}
console.log(JSON.stringify({ resolved: import.meta.resolve('videosvc/client'), videoId: created.video.videoId, seen, refused }));
`;

/** Uses the client's exported values and types as a calling service would. */
const typedModule = `
import {
  Code, ConnectError, bearerTokenInterceptor, create, createVideoServiceClient, CreateVideoRequestSchema,
  VideoStatus, type ListVideosResponse, type TokenSource, type Video,
} from 'videosvc/client';

const token: TokenSource = async () => 'a token from a vault';
const client = createVideoServiceClient({
  baseUrl: 'http://127.0.0.1:8080', token, protocol: 'connect', interceptors: [bearerTokenInterceptor('other')],
});

export async function statusOf(videoId: string): Promise<VideoStatus | undefined> {
  try {
    const { video } = await client.getVideo({ videoId });
    const found: Video | undefined = video;
    return found?.status;
  } catch (error) {
    if (error instanceof ConnectError && error.code === Code.NotFound) return undefined;
    throw error;
  }
}

export async function firstPage(ownerId: string): Promise<string[]> {
  const page: ListVideosResponse = await client.listVideos({ ownerId, pageSize: 10, status: VideoStatus.UPLOADED });
  return page.videos.map((video) => video.videoId);
}

export const request = create(CreateVideoRequestSchema, { video: { originalName: 'a.mp4', sizeBytes: 10n } });
`;

/** Three mistakes the client's types must catch; the test expects exactly these. */
export const wrongModuleName = 'wrong.ts';
const wrongModule = `import { createVideoServiceClient } from 'videosvc/client';

const client = createVideoServiceClient({ baseUrl: 'http://127.0.0.1:8080', token: 'token', protocol: 'http3' });
await client.getVideo({ videoId: 42 });
await client.deleteEverything({});
`;

function tsconfig(compilerOptions: Record<string, unknown>, file: string): string {
  const common = { target: 'ES2022', strict: true, noEmit: true, types: ['node'] };
  return `${JSON.stringify({ compilerOptions: { ...common, ...compilerOptions }, files: [file] }, null, 2)}\n`;
}

/** The consumer's tsconfigs that must pass, by the resolution they stand for. */
export const passingTsconfigs = {
  // skipLibCheck off (tsc's default): the package's own .d.ts files are checked too, not only their use.
  nodenext: 'tsconfig.nodenext.json',
  bundler: 'tsconfig.bundler.json',
} as const;
/** The mistakes under node16, so that resolution is covered too: they are only found if the types resolve. */
export const failingTsconfig = 'tsconfig.wrong.json';

/** Every file of the consumer project but its package.json. */
export const consumerFiles: Record<string, string> = {
  'call.mjs': callingProgram,
  'typed.ts': typedModule,
  [wrongModuleName]: wrongModule,
  [passingTsconfigs.nodenext]: tsconfig({ module: 'nodenext', moduleResolution: 'nodenext', skipLibCheck: false }, 'typed.ts'),
  [passingTsconfigs.bundler]: tsconfig({ module: 'preserve', moduleResolution: 'bundler', skipLibCheck: true }, 'typed.ts'),
  [failingTsconfig]: tsconfig({ module: 'node16', moduleResolution: 'node16', skipLibCheck: true }, wrongModuleName),
};
