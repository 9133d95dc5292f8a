// Entry point of the SQLite writer thread. A worker thread does not inherit the main
// thread's TypeScript loader, so it registers tsx itself before loading the writer,
// as bin/videosvc.mjs does for the main thread.
import { register } from 'tsx/esm/api';

register();
await import('./writer-thread.ts');
