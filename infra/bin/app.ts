import { App } from 'aws-cdk-lib';
import { StatefulStack } from '../lib/stateful-stack.ts';

// The only place that reads the environment: everything below gets props.
const app = new App();
const stage = String(app.node.tryGetContext('stage') ?? 'dev');
const env = {
  account: process.env.CDK_DEFAULT_ACCOUNT,
  region: process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION ?? 'us-east-1',
};

new StatefulStack(app, `AiCaller-${stage}-Stateful`, { env, stage });
