#!/usr/bin/env node
// The `videosvc` executable. The service runs its TypeScript sources through tsx, with no
// build step, so `npm ci && npm start` works on a fresh clone.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on Node 20 that *future* SDK releases will need Node 22. The versions
// here are pinned, and the multi-line warning would break the CLI's promise of one
// stderr line per failure, so it is off unless an operator sets the variable to "false".
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv.slice(2));
