import type { RouteDefinition } from './route-types.ts';

/**
 * Paths of the Twilio webhooks. Twilio signs the URL it calls, so these constants (with
 * PUBLIC_API_URL in front) are what the signature is checked against, and what outbound calls
 * pass to Twilio as `Url` and `StatusCallback`.
 */
export const TWILIO_VOICE_PATH = '/webhooks/twilio/voice';
export const TWILIO_STATUS_PATH = '/webhooks/twilio/status';
/** Twilio's asynchronous answering-machine detection verdicts (`AsyncAmdStatusCallback`). */
export const TWILIO_AMD_PATH = '/webhooks/twilio/amd';
/** `<Connect action>`: the stream ended; resume the call on a healthy media task or hang up. */
export const TWILIO_STREAM_ENDED_PATH = '/webhooks/twilio/stream-ended';

/**
 * Provider webhooks: authenticated by the provider's signature, checked in the handler. They are
 * not API operations (providers call them, not API clients), so the reference leaves them out.
 */
export const WEBHOOK_ROUTES: readonly RouteDefinition[] = [
  {
    method: 'POST',
    path: TWILIO_VOICE_PATH,
    handler: 'functions/webhooks/twilio-voice.ts',
    auth: 'signature',
    grants: {
      table: 'write',
      secrets: true,
      sessionKeys: true,
      sendsTo: ['summaries', 'usage', 'webhooks', 'campaignOutcomes'],
    },
  },
  {
    method: 'POST',
    path: TWILIO_STATUS_PATH,
    handler: 'functions/webhooks/twilio-status.ts',
    auth: 'signature',
    grants: {
      table: 'write',
      secrets: true,
      sessionKeys: true,
      sendsTo: ['summaries', 'usage', 'webhooks', 'campaignOutcomes'],
    },
  },
  {
    method: 'POST',
    path: TWILIO_AMD_PATH,
    handler: 'functions/webhooks/twilio-amd.ts',
    auth: 'signature',
    grants: { table: 'write', secrets: true, sessionKeys: true, sendsTo: ['mediaCommands'] },
  },
  {
    method: 'POST',
    path: TWILIO_STREAM_ENDED_PATH,
    handler: 'functions/webhooks/twilio-stream-ended.ts',
    auth: 'signature',
    grants: {
      table: 'write',
      secrets: true,
      sessionKeys: true,
      sendsTo: ['summaries', 'usage', 'webhooks', 'campaignOutcomes'],
    },
  },
  {
    method: 'POST',
    path: '/webhooks/stripe',
    handler: 'functions/webhooks/stripe-webhook.ts',
    auth: 'signature',
    grants: { table: 'write', secrets: true, sessionKeys: true },
  },
];
