/**
 * The telephony providers, declared once: every schema, type and table that names providers
 * derives from these lists, so a new provider is one entry here (plus its transport and its
 * `ProviderControl`).
 */

/** Every provider a call can run on. */
export const CALL_PROVIDERS = ['twilio', 'asterisk', 'web'] as const;
export type CallProvider = (typeof CALL_PROVIDERS)[number];

/** Providers that own phone numbers and place outbound calls (a browser call has no number). */
export const PHONE_PROVIDERS = ['twilio', 'asterisk'] as const satisfies readonly CallProvider[];
export type PhoneProvider = (typeof PHONE_PROVIDERS)[number];

/** Providers whose media connection is admitted with a signed stream token. */
export const STREAM_TOKEN_PROVIDERS = ['twilio', 'web'] as const satisfies readonly CallProvider[];
export type StreamTokenProvider = (typeof STREAM_TOKEN_PROVIDERS)[number];
