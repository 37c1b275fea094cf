import { createHmac, randomBytes } from 'node:crypto';
import { patchUser, type UserRecord } from '../data/users.ts';
import { AppError, ConflictError } from '../errors/app-error.ts';
import type { PeopleDeps } from './people-deps.ts';
import { open, seal } from './secret-box.ts';
import { matchTotpStep, newTotpSecret } from './totp.ts';

const SEAL_PURPOSE = 'totp-seed';
export const RECOVERY_CODE_COUNT = 10;

export class InvalidMfaCodeError extends AppError {
  constructor(message = 'The code is wrong or was already used.') {
    super('invalid_mfa_code', message);
    this.name = 'InvalidMfaCodeError';
  }
}

const CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
/** Ten codes like `k7mq2-x9rtd` (about 50 bits each), shown once. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = [...randomBytes(10)].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** Recovery codes are stored as HMACs keyed by the master key: a table dump alone cannot test guesses. */
export function hashRecoveryCode(masterKey: string, code: string): string {
  return createHmac('sha256', masterKey)
    .update(code.trim().toLowerCase().replace(/[\s-]/g, ''))
    .digest('hex');
}

/** Starts (or restarts) enrolment: a pending seed, active only once a first code confirms it. */
export async function beginMfaEnrolment(
  deps: PeopleDeps,
  user: UserRecord,
): Promise<{ secret: string; otpauthUri: string }> {
  if (user.mfaEnabled) throw new ConflictError('MFA is already on; turn it off first to enrol a new device.');
  const enrolment = newTotpSecret(user.email);
  await patchUser(deps.db, user, { mfaPendingSecret: seal(deps.masterKey, SEAL_PURPOSE, enrolment.secret) });
  return enrolment;
}

/** Confirms enrolment with a first code; returns the recovery codes (only their hashes are kept). */
export async function confirmMfaEnrolment(
  deps: PeopleDeps,
  user: UserRecord,
  code: string,
  nowMs: number,
): Promise<string[]> {
  if (user.mfaEnabled) throw new ConflictError('MFA is already on.');
  const seed = user.mfaPendingSecret && open(deps.masterKey, SEAL_PURPOSE, user.mfaPendingSecret);
  if (!seed) throw new ConflictError('Start enrolment first (POST /v1/auth/mfa/enroll).');
  const step = matchTotpStep(seed, code, nowMs);
  if (step === undefined) throw new InvalidMfaCodeError();
  const recoveryCodes = newRecoveryCodes();
  const done = await patchUser(
    deps.db,
    user,
    {
      mfaEnabled: true,
      mfaSecret: user.mfaPendingSecret,
      mfaLastStep: step,
      recoveryCodeHashes: recoveryCodes.map((c) => hashRecoveryCode(deps.masterKey, c)),
    },
    {
      remove: ['mfaPendingSecret'],
      condition: { expression: 'mfaPendingSecret = :pending', values: { ':pending': user.mfaPendingSecret } },
    },
  );
  if (!done) throw new ConflictError('The enrolment changed meanwhile; start again.');
  return recoveryCodes;
}

/**
 * Checks a second factor: a TOTP code of a step later than the last accepted one (so a code cannot
 * be replayed within its window), or an unused recovery code (removed as it is used). The stored
 * state is updated conditionally, so two concurrent uses of one code cannot both pass.
 */
export async function verifySecondFactor(
  deps: PeopleDeps,
  user: UserRecord,
  code: string,
  nowMs: number,
): Promise<'totp' | 'recovery'> {
  const seed =
    user.mfaEnabled && user.mfaSecret ? open(deps.masterKey, SEAL_PURPOSE, user.mfaSecret) : undefined;
  if (!seed) throw new InvalidMfaCodeError('MFA is not on for this account.');
  const trimmed = code.trim();
  if (/^\d{6}$/.test(trimmed)) {
    const step = matchTotpStep(seed, trimmed, nowMs);
    if (step === undefined || step <= (user.mfaLastStep ?? -1)) throw new InvalidMfaCodeError();
    const accepted = await patchUser(
      deps.db,
      user,
      { mfaLastStep: step },
      {
        condition: {
          expression: '(attribute_not_exists(mfaLastStep) OR mfaLastStep < :step)',
          values: { ':step': step },
        },
      },
    );
    if (!accepted) throw new InvalidMfaCodeError();
    return 'totp';
  }
  const hash = hashRecoveryCode(deps.masterKey, trimmed);
  const current = user.recoveryCodeHashes ?? [];
  if (!current.includes(hash)) throw new InvalidMfaCodeError();
  const used = await patchUser(
    deps.db,
    user,
    { recoveryCodeHashes: current.filter((h) => h !== hash) },
    {
      condition: { expression: 'recoveryCodeHashes = :current', values: { ':current': current } },
    },
  );
  if (!used) throw new InvalidMfaCodeError();
  return 'recovery';
}

/** Turns MFA off after a valid code (TOTP or recovery). */
export async function disableMfa(
  deps: PeopleDeps,
  user: UserRecord,
  code: string,
  nowMs: number,
): Promise<void> {
  await verifySecondFactor(deps, user, code, nowMs);
  await patchUser(
    deps.db,
    user,
    { mfaEnabled: false },
    { remove: ['mfaSecret', 'mfaLastStep', 'recoveryCodeHashes', 'mfaPendingSecret'] },
  );
}
