import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Call } from './call-types.ts';
import { getCall } from '../data/calls.ts';
import type { Db } from '../data/client.ts';
import { NotFoundError } from '../errors/app-error.ts';
import type { QueueUrls } from '../queues/publisher.ts';
import type { TwilioRestConfig } from '../twilio/rest-client.ts';

/** What call operations talk to; handlers build it from the environment and secrets. */
export interface CallDeps {
  db: Db;
  sqs: SQSClient;
  queueUrls: QueueUrls;
  /** Absent when the platform has no Twilio account configured. */
  twilio?: TwilioRestConfig;
  /** Base URL Twilio reaches the webhooks on. */
  publicApiUrl: string;
}

/** The tenant's call, or 404: another tenant's call id is indistinguishable from a missing one. */
export async function requireCall(db: Db, tenantId: string, callId: string): Promise<Call> {
  const call = await getCall(db, tenantId, callId);
  if (!call) throw new NotFoundError('Call not found.');
  return call;
}
