// The contract checks `npm test` runs before any test: buf lint, buf breaking against
// the committed baseline, and src/gen regenerated into a scratch folder must equal
// what is committed. Run it through npm so node_modules/.bin (buf, protoc-gen-es) is on PATH.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const baseline = 'contract-baseline.binpb';

function run(step, args) {
  try {
    execFileSync('buf', args, { stdio: 'inherit' });
    console.log(`contract: ${step} ok`);
  } catch {
    console.error(`contract: ${step} failed (buf ${args.join(' ')})`);
    process.exit(1);
  }
}

function filesUnder(root) {
  const found = new Map();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else found.set(relative(root, path), readFileSync(path, 'utf8'));
    }
  };
  walk(root);
  return found;
}

run('lint', ['lint']);
run('breaking', ['breaking', '--against', baseline]);

const scratch = mkdtempSync(join(tmpdir(), 'videosvc-gen-'));
try {
  run('generate', ['generate', '--output', scratch]);
  const fresh = filesUnder(join(scratch, 'src/gen'));
  const committed = filesUnder('src/gen');
  const stale = [...new Set([...fresh.keys(), ...committed.keys()])].filter(
    (file) => fresh.get(file) !== committed.get(file),
  );
  if (stale.length > 0) {
    console.error(`contract: src/gen is stale against proto/ (${stale.join(', ')}); run npm run gen and commit`);
    process.exit(1);
  }
  console.log('contract: src/gen is current');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
