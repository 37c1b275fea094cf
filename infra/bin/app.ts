import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { DeploymentConfigError, readDeploymentConfig } from '../lib/config.ts';
import { addPlatformStacks } from '../lib/platform-app.ts';

// The only place that reads the environment and the CDK context: everything below gets props.
const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const app = new App();
try {
  const config = readDeploymentConfig((key) => app.node.tryGetContext(key));
  addPlatformStacks(app, {
    config,
    rootDir,
    env: {
      account: process.env.CDK_DEFAULT_ACCOUNT,
      region: process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION ?? 'us-east-1',
    },
  });
} catch (error) {
  if (error instanceof DeploymentConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
