import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../errors/app-error.ts';
import { createSecretStore } from './secrets.ts';

/** A Secrets Manager stand-in speaking the JSON protocol (`X-Amz-Target: secretsmanager.GetSecretValue`). */
let server: Server;
let endpoint: string;
let requests: { target: string | undefined; secretId: string }[] = [];
let secretValue = JSON.stringify({ OPENAI_API_KEY: 'sk-from-aws', ADMIN_API_KEY: 'admin-from-aws' });

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const parsed = JSON.parse(body) as { SecretId: string };
      requests.push({ target: req.headers['x-amz-target'] as string | undefined, secretId: parsed.SecretId });
      if (parsed.SecretId !== 'arn:aws:secretsmanager:us-east-1:000000000000:secret:platform') {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'no such secret' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({
          ARN: parsed.SecretId,
          Name: 'platform',
          SecretString: secretValue,
          VersionId: 'v1',
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const arn = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:platform';
const awsEnv = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };

describe('secret store', () => {
  it('reads from the environment when no secret ARN is set', async () => {
    const store = createSecretStore({ env: { OPENAI_API_KEY: 'sk-env' } });
    expect(await store.get('OPENAI_API_KEY')).toBe('sk-env');
    expect(await store.get('ARI_PASSWORD')).toBeUndefined();
    await expect(store.require('ARI_PASSWORD')).rejects.toBeInstanceOf(UnavailableError);
  });

  it('reads the JSON secret from Secrets Manager once per TTL, preferring it over the environment', async () => {
    Object.assign(process.env, awsEnv);
    requests = [];
    let now = 1_000;
    const store = createSecretStore({
      secretArn: arn,
      endpoint,
      region: 'us-east-1',
      env: { OPENAI_API_KEY: 'sk-env', STRIPE_API_KEY: 'sk-stripe-env' },
      ttlMs: 60_000,
      now: () => now,
    });
    expect(await store.get('OPENAI_API_KEY')).toBe('sk-from-aws');
    expect(await store.get('ADMIN_API_KEY')).toBe('admin-from-aws');
    // Keys absent from the secret fall back to the environment.
    expect(await store.get('STRIPE_API_KEY')).toBe('sk-stripe-env');
    expect(requests).toHaveLength(1);
    expect(requests[0]?.target).toBe('secretsmanager.GetSecretValue');

    // A rotated value is picked up after the TTL, not before.
    secretValue = JSON.stringify({ OPENAI_API_KEY: 'sk-rotated' });
    now += 30_000;
    expect(await store.get('OPENAI_API_KEY')).toBe('sk-from-aws');
    now += 31_000;
    expect(await store.get('OPENAI_API_KEY')).toBe('sk-rotated');
    expect(requests).toHaveLength(2);
  });

  it('turns a Secrets Manager failure into a retryable UnavailableError', async () => {
    Object.assign(process.env, awsEnv);
    const store = createSecretStore({ secretArn: `${arn}-missing`, endpoint, region: 'us-east-1', env: {} });
    const error = await store.get('OPENAI_API_KEY').catch((e) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).retryable).toBe(true);
  });
});
