import { ConflictError } from '../errors/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import type { CallDeps } from './call-deps.ts';
import type { Call } from './call-types.ts';
import type { CallProvider, PhoneProvider } from './providers.ts';

/** What the control plane gives a provider: the call dependencies and the request's logger. */
export type ProviderControlDeps = CallDeps & { logger: Logger };

/**
 * Everything a provider is told to dial an admitted outbound call. New per-call choices
 * (detection, recording, campaign ids) travel here or on the stored call, never as extra
 * parameters of `placeOutboundCall`.
 */
export interface PlaceCallInput {
  /**
   * The admitted call, stored `queued`: id, tenant, `from`, `to`, `metadata` (campaign ids),
   * `recording` (off when the request opted out), `machineDetection`.
   */
  call: Call;
  /** The agent's longest call: providers that enforce a time limit are told it. */
  maxDurationSeconds: number;
  /** Detect answering machines: the agent handles voicemail and the request did not opt out. */
  machineDetection: boolean;
}

/**
 * The control plane's seam per provider (the media side's is `CallTransport`): placing, ending
 * and (one day) transferring calls from the API, without `provider === …` branches in the use
 * cases (`outbound-calls.ts`, `end-call.ts`).
 */
export interface ProviderControl {
  /**
   * Dials the call. Returns it as placed (with `providerCallId` when the provider names the call
   * at once). A throw means the provider refused: the caller ends the call as `failed`.
   */
  place(deps: ProviderControlDeps, input: PlaceCallInput): Promise<Call>;
  /**
   * Hangs up a call the provider has taken (ringing or live); the final status arrives through
   * the provider's own status path. Throws `callAlreadyEnded` when the provider says it is over.
   */
  end(deps: ProviderControlDeps, call: Call): Promise<void>;
  /**
   * A cold transfer asked for by the API. No provider offers it yet: agents transfer from the
   * media service (the `transfer_call` tool through the call's transport).
   */
  transfer?(deps: ProviderControlDeps, call: Call, to: string): Promise<void>;
}

/**
 * A provider the control plane can end calls on but never place them: a browser call starts in
 * the browser (`POST /v1/web-calls`), not by dialing. `notPlaceable` says why, for readers.
 */
export interface EndOnlyControl {
  notPlaceable: string;
  end: ProviderControl['end'];
}

/**
 * One entry per provider of `CALL_PROVIDERS`: the compiler asks a new phone provider for a full
 * `ProviderControl`, any other provider at least for how its calls end.
 */
export type ProviderControls = { readonly [P in PhoneProvider]: ProviderControl } & {
  readonly [P in Exclude<CallProvider, PhoneProvider>]: EndOnlyControl;
};

/** The 409 for ending a call that has already ended (here, or at the provider). */
export const callAlreadyEnded = (status: string) =>
  new ConflictError(`The call has already ended (${status}).`, {
    details: { reason: 'invalid_transition', from: status },
  });
