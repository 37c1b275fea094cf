import type { z } from 'zod';
import { requireAgent } from '../agents/agent-changes.ts';
import type { CreateCallBodySchema } from '../api/call-schemas.ts';
import { AppError, RateLimitedError, toAppError, ValidationError } from '../errors/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import { admitCall } from './admission.ts';
import type { CallDeps } from './call-deps.ts';
import type { Call } from './call-types.ts';
import { resolveCallerNumber } from './caller-number.ts';
import { endUnconnectedCall } from './end-unconnected-call.ts';
import { PROVIDER_CONTROLS } from './provider-controls.ts';

/**
 * Places an outbound call: the call is admitted through the one admission path (billing hold,
 * rate, concurrency slot), stored as `queued`, then handed to its provider's `ProviderControl`
 * (Twilio's REST API dials it; the media service originates it on Asterisk). If the provider refuses,
 * the call ends as `failed` (releasing its slot) and the caller gets the provider's reason.
 */
export async function placeOutboundCall(
  deps: CallDeps,
  tenantId: string,
  input: z.output<typeof CreateCallBodySchema>,
  logger: Logger,
  options: { id?: string; variables?: Record<string, string> } = {},
): Promise<Call> {
  const agent = await requireAgent(deps.db, tenantId, input.agentId);
  if (input.recording === true && !agent.recording?.enabled) {
    // Asking for a recording the agent does not make must not quietly place an unrecorded call.
    throw new ValidationError(
      `Agent ${agent.id} does not record calls; turn recording on for the agent (PATCH /v1/agents/{id}) first.`,
      { details: { reason: 'recording_not_enabled', field: 'recording' } },
    );
  }
  const origin = await resolveCallerNumber(deps.db, tenantId, agent.id, input);
  const { call } = await admitCall(
    deps.db,
    {
      tenantId,
      agentId: agent.id,
      direction: 'outbound',
      provider: origin.provider,
      from: origin.number,
      to: input.to,
      metadata: input.metadata ?? {},
      variables: options.variables,
      status: 'queued',
      ...(input.recording === false ? { recording: { status: 'off' as const } } : {}),
      // Detection runs for agents that say what to do with a machine, unless this call opts out.
      machineDetection: agent.voicemail && input.machineDetection !== false ? {} : undefined,
    },
    { id: options.id },
  );
  try {
    return await PROVIDER_CONTROLS[origin.provider].place(
      { ...deps, logger },
      {
        call,
        maxDurationSeconds: agent.maxDurationSeconds,
        machineDetection: Boolean(call.machineDetection),
      },
    );
  } catch (error) {
    const failure = toAppError(error);
    await failUndialedCall(
      deps,
      call,
      failure.code === 'validation_error' ? 'provider_rejected' : 'provider_unavailable',
      logger,
    );
    const message = `The call could not be placed. ${failure.message}`;
    const options = {
      cause: error,
      retryable: failure.retryable,
      details: {
        callId: call.id,
        ...(failure.details && typeof failure.details === 'object' ? failure.details : {}),
      },
    };
    // A 429 must carry Retry-After, which only RateLimitedError provides (Twilio's own 429s).
    if (failure.code === 'rate_limited') throw new RateLimitedError(message, 1, options);
    throw new AppError(failure.code, message, options);
  }
}

/** Ends a call its provider never took: `failed` releases the slot; `call.ended` tells consumers. */
async function failUndialedCall(
  deps: CallDeps,
  call: Call,
  endReason: string,
  logger: Logger,
): Promise<void> {
  try {
    await endUnconnectedCall({ ...deps, logger }, call, 'failed', endReason);
  } catch (err) {
    logger.error('could not record an undialed call as failed', { callId: call.id, err });
  }
}
