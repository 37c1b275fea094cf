import { describe, expect, it } from 'vitest';
import { DeploymentConfigError, readDeploymentConfig } from './config.ts';

const read = (context: Record<string, unknown>) => readDeploymentConfig((key) => context[key]);

describe('readDeploymentConfig', () => {
  it('gives a dev stage with safe defaults from an empty context', () => {
    expect(read({})).toMatchObject({
      stage: 'dev',
      corsOrigins: [],
      logRetentionDays: 30,
      mediaMinTasks: 1,
      mediaMaxTasks: 4,
      drainGraceSeconds: 300,
      authorizerCacheSeconds: 0,
      reserveConsumerConcurrency: true,
      rtpPortMin: 40000,
      rtpPortMax: 40999,
    });
  });

  it.each([
    [
      'corsOrigins as a -c string',
      { corsOrigins: 'https://a.example, https://b.example' },
      { corsOrigins: ['https://a.example', 'https://b.example'] },
    ],
    [
      'corsOrigins as a cdk.json array',
      { corsOrigins: ['https://a.example'] },
      { corsOrigins: ['https://a.example'] },
    ],
    [
      'numbers given as -c strings',
      { mediaMaxTasks: '10', drainGraceSeconds: '600' },
      { mediaMaxTasks: 10, drainGraceSeconds: 600 },
    ],
    [
      'a flag given as a -c string',
      { reserveConsumerConcurrency: 'false' },
      { reserveConsumerConcurrency: false },
    ],
    ['empty values as unset', { asteriskCidr: '', stage: '' }, { stage: 'dev' }],
  ])('accepts %s', (_name, context, expected) => {
    expect(read(context)).toMatchObject(expected);
  });

  it.each([
    ['an upper-case stage', { stage: 'Prod' }, 'stage'],
    ['an RTP range upside down', { rtpPortMin: 5000, rtpPortMax: 4000 }, 'rtpPortMin'],
    ['more minimum tasks than maximum', { mediaMinTasks: 5, mediaMaxTasks: 2 }, 'mediaMinTasks'],
    ['a domain without its certificate', { apiDomainName: 'api.example.com' }, 'apiDomainName'],
    ['a media domain without a certificate', { mediaDomainName: 'media.example.com' }, 'mediaDomainName'],
    ['ARI without the Asterisk network', { ariUrl: 'http://10.0.0.5:8088' }, 'asteriskCidr'],
    ['ARI without its user', { ariUrl: 'http://10.0.0.5:8088', asteriskCidr: '10.0.0.0/24' }, 'ariUsername'],
    ['a malformed CIDR', { asteriskCidr: '10.0.0.0' }, 'asteriskCidr'],
    [
      'per-call Asterisk without ARI',
      { asteriskMode: 'per_call', asteriskPercallUsername: 'asterisk' },
      'ariUrl',
    ],
    [
      'per-call Asterisk without its websocket_client user',
      {
        asteriskMode: 'per_call',
        ariUrl: 'http://10.0.0.5:8088',
        asteriskCidr: '10.0.0.0/24',
        ariUsername: 'ai',
      },
      'asteriskPercallUsername',
    ],
    [
      'per-call Asterisk with RTP media',
      {
        asteriskMode: 'per_call',
        asteriskMedia: 'rtp',
        ariUrl: 'http://10.0.0.5:8088',
        asteriskCidr: '10.0.0.0/24',
        ariUsername: 'ai',
        asteriskPercallUsername: 'asterisk',
      },
      'asteriskMedia',
    ],
    ['an unknown Asterisk mode', { asteriskMode: 'cluster' }, 'asteriskMode'],
    ['a retention CloudWatch does not offer', { logRetentionDays: 31 }, 'logRetentionDays'],
    ['a certificate that is not an ACM ARN', { mediaCertificateArn: 'cert-123' }, 'mediaCertificateArn'],
  ])('rejects %s, naming the key', (_name, context, key) => {
    expect(() => read(context)).toThrow(DeploymentConfigError);
    expect(() => read(context)).toThrow(new RegExp(`${key}:`));
  });
});
