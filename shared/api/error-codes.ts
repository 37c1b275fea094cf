import { type ErrorCode, STATUS_BY_CODE } from '../errors/app-error.ts';

/** Every error code the API can answer with, in status order (for the OpenAPI document). */
export const ERROR_CODES = (Object.keys(STATUS_BY_CODE) as ErrorCode[]).sort(
  (a, b) => STATUS_BY_CODE[a] - STATUS_BY_CODE[b],
) as [ErrorCode, ...ErrorCode[]];

export const ERROR_DESCRIPTIONS: Readonly<Record<ErrorCode, string>> = {
  validation_error: 'The request is invalid: malformed JSON, an unknown or missing field, a bad cursor.',
  unauthorized: 'No API key, or a key that is not valid (deleted keys stop working at once).',
  forbidden: 'The key lacks the scope, or the account is on a billing hold.',
  not_found: 'No such resource in this account.',
  conflict: 'The resource is taken or in a state that does not allow this.',
  payload_too_large: 'The body is over 64 KB.',
  rate_limited: 'Too many requests or concurrent calls; retry after `Retry-After` seconds.',
  internal: 'An error on our side.',
  unavailable: 'A dependency is unavailable; retry later.',
  weak_password: 'The password is shorter than 12 characters, too common, or your email address.',
  invalid_credentials: 'The email or the password is wrong (the answer never says which).',
  invalid_token: 'A session, MFA, invitation or reset token that is malformed, expired, used or revoked.',
  invalid_mfa_code: 'The TOTP or recovery code is wrong, or was already used.',
  refresh_token_reused: 'A refresh token was used twice: the whole session was revoked; sign in again.',
  csrf_failed: 'A cookie-authenticated change without the `X-CSRF-Token` header of the `aic_csrf` cookie.',
  mfa_enrollment_required:
    'The tenant requires MFA: enroll (`POST /v1/auth/mfa/enroll`) before anything else.',
  too_many_attempts:
    'Too many failed sign-ins for this account or address; retry after `Retry-After` seconds.',
  last_owner: 'The last owner of a tenant can be neither removed nor demoted.',
};
