import type { RouteDefinition } from './route-types.ts';

/** After-call routes: usage and billing, customer webhook deliveries, and Stripe's webhook. */
export const BILLING_ROUTES: readonly RouteDefinition[] = [
  { method: 'GET', path: '/v1/usage', handler: 'functions/api/get-usage.ts', auth: 'apiKey' },
  { method: 'GET', path: '/v1/usage/calls', handler: 'functions/api/list-usage-calls.ts', auth: 'apiKey' },
  {
    method: 'GET',
    path: '/v1/webhook-deliveries',
    handler: 'functions/api/list-webhook-deliveries.ts',
    auth: 'apiKey',
  },
  {
    method: 'POST',
    path: '/v1/webhook-secret/rotate',
    handler: 'functions/api/rotate-webhook-secret.ts',
    auth: 'apiKey',
  },
  {
    method: 'POST',
    path: '/webhooks/stripe',
    handler: 'functions/webhooks/stripe-webhook.ts',
    auth: 'signature',
  },
];
