// A Secrets Manager rotation seen through the token secret ring, over the real SDK.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/app/config.ts';
import { openTokenSecretRing } from '../../src/app/token-secret-ring.ts';
import { createSecretsManagerClient } from '../../src/adapters/aws/clients.ts';
import { SecretsManagerSecretSource } from '../../src/adapters/aws/secrets-manager-secret.ts';
import { fakeAwsClientOptions, startFakeAws, type FakeAws } from '../support/fake-aws.ts';

const secretId = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:videosvc/jwt-AbCdEf';
const oldSecret = 'the-old-token-secret-0123456789-0123456789';
const newSecret = 'the-new-token-secret-9876543210-9876543210';
const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : new TextDecoder().decode(bytes));

let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws();
});
afterAll(() => fake.stop());

describe('token secret rotation through Secrets Manager', () => {
  it('picks up the new secret after a signature failure, keeps the old one as previous, then drops it', async () => {
    const client = createSecretsManagerClient(parseConfig({}), fakeAwsClientOptions(fake));
    let now = 1_000_000;
    fake.setSecret(secretId, { AWSCURRENT: JSON.stringify({ JWT_SECRET: oldSecret }) });
    const ring = await openTokenSecretRing(new SecretsManagerSecretSource(client, secretId), {
      clock: () => now,
      minRefreshGapMs: 10_000,
      refreshIntervalMs: 0,
    });
    try {
      const before = ring.secrets();
      expect(text(before.current)).toBe(oldSecret);
      expect(before.previous).toBeUndefined();

      fake.rotateSecret(secretId, JSON.stringify({ JWT_SECRET: newSecret }));
      now += 10_000;
      const readsBefore = fake.requests.length;
      expect(await ring.refreshAfterFailure()).toBe(true);
      expect(fake.requests.length - readsBefore).toBe(2); // AWSCURRENT and AWSPREVIOUS
      const during = ring.secrets();
      expect(during).not.toBe(before);
      expect(text(during.current)).toBe(newSecret);
      expect(text(during.previous)).toBe(oldSecret);

      // Rate limited: a second failure within the gap sends nothing and changes nothing.
      const readsDuring = fake.requests.length;
      now += 9_999;
      expect(await ring.refreshAfterFailure()).toBe(false);
      expect(fake.requests.length).toBe(readsDuring);

      // Rotation finishes: the old version loses AWSPREVIOUS.
      fake.setSecret(secretId, { AWSCURRENT: JSON.stringify({ JWT_SECRET: newSecret }) });
      now += 1;
      expect(await ring.refreshAfterFailure()).toBe(true);
      const after = ring.secrets();
      expect(text(after.current)).toBe(newSecret);
      expect(after.previous).toBeUndefined();

      // Nothing changed since: same object, so verifier caches survive.
      now += 10_000;
      expect(await ring.refreshAfterFailure()).toBe(false);
      expect(ring.secrets()).toBe(after);
    } finally {
      ring.close();
      client.destroy();
    }
  });
});
