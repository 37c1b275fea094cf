import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { privateIpFromTaskMetadata, resolveTaskUrl } from './task-url.ts';

describe('privateIpFromTaskMetadata', () => {
  it.each([
    {
      name: 'awsvpc task (the shape the ECS task metadata endpoint v4 returns)',
      document: {
        Cluster: 'c',
        Containers: [
          { Name: '~internal~ecs~pause', Networks: [] },
          { Name: 'media', Networks: [{ NetworkMode: 'awsvpc', IPv4Addresses: ['10.0.3.17'] }] },
        ],
      },
      ip: '10.0.3.17',
    },
    { name: 'no containers', document: { Cluster: 'c' }, ip: undefined },
    {
      name: 'no addresses',
      document: { Containers: [{ Networks: [{ IPv4Addresses: [] }] }] },
      ip: undefined,
    },
    {
      name: 'not an address',
      document: { Containers: [{ Networks: [{ IPv4Addresses: ['x'] }] }] },
      ip: undefined,
    },
    { name: 'not an object', document: null, ip: undefined },
  ])('$name', ({ document, ip }) => {
    expect(privateIpFromTaskMetadata(document)).toBe(ip);
  });
});

describe('resolveTaskUrl', () => {
  it('prefers MEDIA_TASK_URL, then ECS metadata, then loopback locally, else nothing', async () => {
    const metadata = createServer((req, res) => {
      res.writeHead(req.url === '/v4/abc/task' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ Containers: [{ Networks: [{ IPv4Addresses: ['10.1.2.3'] }] }] }));
    });
    await new Promise<void>((resolve) => metadata.listen(0, '127.0.0.1', resolve));
    const ecsMetadataUri = `http://127.0.0.1:${(metadata.address() as AddressInfo).port}/v4/abc`;
    try {
      const base = { stage: 'prod', port: 8080 };
      await expect(
        resolveTaskUrl({ ...base, explicit: 'http://media-1:8080/', ecsMetadataUri }),
      ).resolves.toBe('http://media-1:8080');
      await expect(resolveTaskUrl({ ...base, ecsMetadataUri })).resolves.toBe('http://10.1.2.3:8080');
      await expect(resolveTaskUrl({ ...base, ecsMetadataUri: `${ecsMetadataUri}/missing` })).rejects.toThrow(
        '404',
      );
      await expect(resolveTaskUrl({ stage: 'local', port: 9000 })).resolves.toBe('http://127.0.0.1:9000');
      await expect(resolveTaskUrl(base)).resolves.toBeUndefined();
    } finally {
      metadata.close();
    }
  });
});
