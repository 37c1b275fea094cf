// What the page tells the caller for each failure, keyed by the codes of the call protocol (close
// codes and `error` messages, see the README section "browser") and of the audio setup.

/** WebSocket close codes of `/web` → error codes. */
export const CLOSE_CODES = {
  1000: 'call_ended',
  1001: 'connection_lost',
  1006: 'connection_lost',
  1011: 'internal_error',
  4400: 'protocol_error',
  4401: 'token_invalid',
  4404: 'call_unavailable',
  4409: 'token_used',
  4410: 'token_expired',
  4503: 'unavailable',
  4012: 'reconnect',
};

export const MESSAGES = {
  microphone_denied:
    'Microphone access was denied. Allow the microphone for this site (the icon in the address bar), then press Start again.',
  microphone_missing: 'No microphone was found. Connect one and press Start again.',
  microphone_busy: 'The microphone is in use by another application. Close it and press Start again.',
  microphone_failed: 'The microphone could not be opened. Press Start to try again.',
  audio_failed: 'Audio could not start in this browser. Reload the page and try again.',
  unsupported: 'This browser cannot make calls. Use a current version of Chrome, Edge, Firefox or Safari.',
  insecure: 'Calls need a secure page: open this link over https.',
  token_invalid: 'This call link is not valid. Ask for a new link.',
  token_expired: 'This call link has expired. Ask for a new link.',
  token_used: 'This call link was already used. Each link works for one call; ask for a new one.',
  call_unavailable: 'This call has already ended or was canceled. Ask for a new link.',
  unavailable: 'The service is busy right now. Please try again in a moment.',
  rate_limited: 'Too many calls are in progress right now. Please try again in a moment.',
  connection_lost: 'The connection was lost, so the call has ended. Check your network and start a new call.',
  offline: 'You are offline. The call will end if the connection does not come back.',
  protocol_error: 'The call stopped because of an unexpected message. Please start a new call.',
  model_error: 'The agent could not continue this call. Please try again later.',
  media_error: 'The call dropped because of a connection problem. Please start a new call.',
  shutdown: 'The service restarted and ended the call. Please start a new call.',
  internal_error: 'Something went wrong on our side. Please try again.',
  demo_failed: 'Could not create a demo call. Is the platform still running?',
};

export function messageFor(code) {
  return MESSAGES[code] ?? MESSAGES.internal_error;
}
