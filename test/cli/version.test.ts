// `videosvc --version` reads package.json by walking up from its own module, so it must find
// the right file from every place that code runs: the sources, the bundle, an installed copy.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { packageVersion } from '../../src/cli/version.ts';

const root = new URL('../../', import.meta.url);
const ownVersion = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string }).version;

let scratch: string | undefined;
afterEach(() => {
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

describe('packageVersion', () => {
  it('finds the checkout\'s package.json from src/cli (tsx) and from dist/service (the bundle and its chunks)', () => {
    expect(ownVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(packageVersion()).toBe(ownVersion);
    expect(packageVersion(new URL('dist/service/main.mjs', root))).toBe(ownVersion);
    expect(packageVersion(new URL('dist/service/chunk-ABCDEF.mjs', root))).toBe(ownVersion);
  });

  it('in an installed copy, skips package.json files of other packages on the way up', () => {
    scratch = mkdtempSync(join(tmpdir(), 'videosvc-version-'));
    const installed = join(scratch, 'node_modules', 'videosvc');
    mkdirSync(join(installed, 'dist', 'service', 'nested'), { recursive: true });
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', version: '9.9.9' }));
    writeFileSync(join(installed, 'package.json'), JSON.stringify({ name: 'videosvc', version: '3.2.1' }));
    // A stray package.json nearer the module (e.g. `{"type":"module"}` in an output folder).
    writeFileSync(join(installed, 'dist', 'package.json'), JSON.stringify({ type: 'module' }));
    expect(packageVersion(pathToFileURL(join(installed, 'dist', 'service', 'nested', 'main.mjs')))).toBe('3.2.1');
  });

  it('says so when no package.json named videosvc is above the module', () => {
    scratch = mkdtempSync(join(tmpdir(), 'videosvc-version-'));
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', version: '9.9.9' }));
    expect(() => packageVersion(pathToFileURL(join(scratch!, 'main.mjs')))).toThrow(/cannot find the package\.json of videosvc/);
  });
});
