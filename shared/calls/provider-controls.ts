import { twilioControl } from '../twilio/twilio-control.ts';
import { asteriskControl, webControl } from './media-service-control.ts';
import type { ProviderControls } from './provider-control.ts';

/** How the control plane places and ends calls, per provider of `CALL_PROVIDERS`. */
export const PROVIDER_CONTROLS: ProviderControls = {
  twilio: twilioControl,
  asterisk: asteriskControl,
  web: webControl,
};
