// Debian's chromium, driven by playwright-core through its executable path: nothing is
// downloaded at run time. .ci/run installs the package when it is missing.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where Debian's package puts it; CHROMIUM_PATH points elsewhere. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A headless Chromium, or an error that says how to get one. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `no Chromium at ${chromiumPath}: install Debian's package (apt-get install -y --no-install-recommends chromium), or set CHROMIUM_PATH`,
    );
  }
  try {
    // No sandbox: CI runs as root, where Chromium refuses to start with one.
    return await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  } catch (error) {
    throw new Error(`Chromium at ${chromiumPath} did not start: ${(error as Error).message}`);
  }
}
