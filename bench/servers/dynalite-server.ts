// dynalite in a process of its own, so its CPU is not counted against the service it
// serves and the load loop of the bench never shares an event loop with it. Prints one
// JSON line {"msg":"listening","url":...} as videosvc does; SIGTERM stops it.
import { startDynalite } from '../../test/support/dynalite.ts';

const dynamo = await startDynalite();
process.stdout.write(`${JSON.stringify({ msg: 'listening', url: dynamo.endpoint })}\n`);
process.on('SIGTERM', () => {
  dynamo.stop().then(() => process.exit(0), () => process.exit(1));
});
