import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Secrets Manager stand-in speaking its JSON 1.1 protocol (`GetSecretValue` only), so a real
 * SDK client in a real process reads secrets from it. `failing` makes every request answer 500
 * like an outage; `requests` counts what arrived.
 */
export interface FakeSecretsManager {
  url: string;
  arn: string;
  failing: boolean;
  requests: number;
  close(): Promise<void>;
}

export async function startFakeSecretsManager(values: Record<string, string>): Promise<FakeSecretsManager> {
  const arn = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:ai-caller-test';
  let server: Server;
  const fake: FakeSecretsManager = {
    url: '',
    arn,
    failing: false,
    requests: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      fake.requests++;
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (fake.failing || req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        res.writeHead(500);
        res.end(JSON.stringify({ __type: 'InternalServiceError', message: 'unavailable' }));
        return;
      }
      res.end(JSON.stringify({ ARN: arn, Name: 'ai-caller-test', SecretString: JSON.stringify(values) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
