import { sendMediaCommand } from '../queues/publisher.ts';
import type { EndOnlyControl, ProviderControl } from './provider-control.ts';

/**
 * Calls the media service owns end by its command queue: it hangs up the caller leg (Asterisk
 * channel, browser socket) and stores the ending.
 */
const endThroughMediaService: ProviderControl['end'] = async (deps, call) => {
  await sendMediaCommand(deps.sqs, deps.queueUrls, {
    type: 'call.end',
    tenantId: call.tenantId,
    callId: call.id,
    reason: 'api_request',
  });
};

/** Asterisk: the media service originates the call on the PBX (ARI) and hangs it up. */
export const asteriskControl: ProviderControl = {
  async place(deps, { call }) {
    await sendMediaCommand(deps.sqs, deps.queueUrls, {
      type: 'call.originate',
      tenantId: call.tenantId,
      callId: call.id,
      agentId: call.agentId,
      to: call.to,
      from: call.from,
    });
    return call;
  },
  end: endThroughMediaService,
};

/** Browser calls: started by the browser, ended by the media service that holds the socket. */
export const webControl: EndOnlyControl = {
  notPlaceable: 'A browser call starts in the browser (POST /v1/web-calls), never by dialing.',
  end: endThroughMediaService,
};
