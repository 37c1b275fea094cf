import type { Call } from '#shared/calls/call-types.ts';
import type { Db } from '#shared/data/client.ts';
import { recordMachineVerdict } from '#shared/data/machine-verdicts.ts';
import type { Logger } from '#shared/logging/logger.ts';
import { answeredByFromAsterisk, type MachineVerdict } from '#shared/voicemail/answered-by.ts';
import type { AriRest } from './ari-rest.ts';

/**
 * The verdict of the dialplan's AMD() (`AMDSTATUS`, `AMDCAUSE`) on an answered channel, stored on
 * the call (classic and per-call modes alike). Unreadable (the dialplan did not run AMD) counts as
 * `unknown`: the agent greets, as for a person.
 */
export async function readAmdVerdict(
  deps: { rest: Pick<AriRest, 'getVariable'>; db: Db; logger: Logger },
  call: Pick<Call, 'id' | 'tenantId'>,
  channelId: string,
): Promise<MachineVerdict> {
  const { rest, db, logger } = deps;
  const [status, cause] = await Promise.all([
    rest.getVariable(channelId, 'AMDSTATUS').catch(() => ''),
    rest.getVariable(channelId, 'AMDCAUSE').catch(() => ''),
  ]);
  if (!status) logger.warn('AMDSTATUS not set: is the AMD dialplan installed?', { callId: call.id });
  const verdict: MachineVerdict = {
    answeredBy: answeredByFromAsterisk(status),
    providerVerdict: (cause ? `${status}/${cause}` : status || 'NOT_SET').slice(0, 100),
  };
  await recordMachineVerdict(db, call.tenantId, call.id, verdict).catch((err) =>
    logger.warn('machine verdict not stored', { callId: call.id, err }),
  );
  return verdict;
}
