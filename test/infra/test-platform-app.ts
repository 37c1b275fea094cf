import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, NestedStack, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { readDeploymentConfig } from '../../infra/lib/config.ts';
import { addPlatformStacks, type PlatformAppProps } from '../../infra/lib/platform-app.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Synthesizing the whole platform takes seconds on an idle machine and much longer on a shared,
 * loaded one; these limits are for slow machines, not performance expectations.
 */
export const SYNTH_TIMEOUT_MS = 240_000;

/** A stage with every optional feature on, so assertions cover TLS, Asterisk, domains and email. */
export const FULL_CONTEXT: Record<string, unknown> = {
  stage: 'test',
  corsOrigins: 'https://app.example.com,https://admin.example.com',
  apiDomainName: 'api.example.com',
  apiCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/api',
  mediaDomainName: 'media.example.com',
  mediaCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/media',
  asteriskCidr: '10.20.0.0/16',
  ariUrl: 'http://10.20.0.5:8088',
  ariUsername: 'ai-caller',
  alarmEmail: 'ops@example.com',
  twilioAccountSid: `AC${'0'.repeat(32)}`,
  emailFrom: 'team@example.com',
  consoleUrl: 'https://console.example.com',
};

/**
 * The platform as `infra/bin/app.ts` builds it, for assertion tests. Lambda bundling is skipped
 * (CI's `cdk synth` bundles for real); the media image context is still staged.
 */
export function buildTestPlatform(
  context: Record<string, unknown> = FULL_CONTEXT,
  options: Pick<PlatformAppProps, 'routes' | 'queues'> = {},
) {
  const app = new App({ context: { [BUNDLING_STACKS]: [] } });
  const config = readDeploymentConfig((key) => context[key]);
  const stacks = addPlatformStacks(app, { config, rootDir: repoRoot, ...options });
  return { app, config, stacks };
}

/**
 * One template holding a stack's resources and those of its nested stacks (the API's route
 * handlers live in nested stacks), so assertions read the stack as a whole.
 */
export function templateWithNested(stack: Stack): Template {
  const resources: Record<string, unknown> = {};
  const templates = stackTemplates(stack);
  for (const template of templates) Object.assign(resources, template.toJSON().Resources ?? {});
  return Template.fromJSON({ Resources: resources, Outputs: templates[0]?.toJSON().Outputs ?? {} });
}

/** The template of a stack, then one per nested stack: each is deployed as a stack of its own. */
export function stackTemplates(stack: Stack): Template[] {
  return [
    Template.fromStack(stack),
    ...stack.node
      .findAll()
      .filter((c): c is NestedStack => NestedStack.isNestedStack(c))
      .map((nested) => Template.fromStack(nested)),
  ];
}
