import { z } from 'zod';
import { pageQueryShape, TimestampSchema } from '../api/common-schemas.ts';
import { MAX_PASSWORD_LENGTH } from './password.ts';
import { ROLES } from './permissions.ts';

const Email = z.email().max(254).describe('Email address (case-insensitive).');
const Role = z.enum(ROLES).describe('`owner`, `admin`, `member` or `viewer` (see docs/people.md).');
const Password = z
  .string()
  .min(1)
  .max(MAX_PASSWORD_LENGTH)
  .describe('At least 12 characters, not a common password.');
const Code = z
  .string()
  .trim()
  .min(6)
  .max(20)
  .describe('A 6-digit TOTP code or a recovery code (`xxxxx-xxxxx`).');

export const UserSchema = z.strictObject({
  id: z.string().describe('`usr_…`'),
  email: z.string().describe('Their sign-in email address (stored lower-case).'),
  name: z.string().describe('Their name, as shown to their team.'),
  role: Role,
  mfaEnabled: z.boolean().describe('They have enrolled an authenticator app (TOTP).'),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  lastSignInAt: TimestampSchema.optional(),
});

export const InvitationSchema = z.strictObject({
  id: z.string().describe('`inv_…`'),
  email: z.string().describe('Who is invited; they sign in with this address.'),
  role: Role,
  expiresAt: TimestampSchema.describe('72 hours after creation; the link works once.'),
  createdAt: TimestampSchema,
});

export const CreateInvitationBodySchema = z.strictObject({ email: Email, role: Role });
export const CreatedInvitationSchema = z.strictObject({
  invitation: InvitationSchema.describe('The invitation, as listed.'),
  token: z.string().describe('The single-use invitation token (shown once; only its hash is kept).'),
  url: z.string().describe('`<CONSOLE_URL>/accept-invitation?token=…`'),
});

export const AcceptInvitationBodySchema = z.strictObject({
  token: z.string().min(1).max(200).describe('The invitation token from the link (`inv_…`).'),
  password: Password,
  name: z.string().trim().min(1).max(200).describe('Their name, as shown to their team (1–200 characters).'),
});
export const SignInBodySchema = z.strictObject({
  email: z
    .string()
    .trim()
    .min(1)
    .max(254)
    .describe('The email address they sign in with (case-insensitive).'),
  password: Password,
});
export const MfaSignInBodySchema = z.strictObject({
  mfaToken: z.string().min(1).max(2048).describe('The `mfaToken` the sign-in answered (valid five minutes).'),
  code: Code,
});
export const RefreshBodySchema = z.strictObject({
  refreshToken: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Programs: the refresh token; browsers send the aic_refresh cookie instead.'),
});
export const SignOutBodySchema = RefreshBodySchema;
export const PasswordResetRequestBodySchema = z.strictObject({
  email: z
    .string()
    .trim()
    .min(1)
    .max(254)
    .describe('Where to send the reset link; the answer is the same whether or not the address is known.'),
});
export const PasswordResetConfirmBodySchema = z.strictObject({
  token: z.string().min(1).max(200).describe('The token from the reset link (single use, valid one hour).'),
  password: Password,
});
export const MfaCodeBodySchema = z.strictObject({ code: Code });

export const SessionSchema = z.strictObject({
  user: UserSchema.describe('The signed-in user.'),
  accessToken: z.string().describe('JWT, valid 15 minutes: `Authorization: Bearer …`.'),
  expiresAt: TimestampSchema.describe('When the access token expires.'),
  csrfToken: z
    .string()
    .describe('Echo as `X-CSRF-Token` on cookie-authenticated changes (also the aic_csrf cookie).'),
  refreshToken: z
    .string()
    .optional()
    .describe(
      'Only for non-browser clients (no Origin/Sec-Fetch-Site header); browsers get the HttpOnly aic_refresh cookie.',
    ),
});
export const SignInResultSchema = z.union([
  SessionSchema,
  z.strictObject({
    mfaRequired: z.literal(true).describe('A second factor is needed: no session yet.'),
    mfaToken: z.string().describe('Valid five minutes: send it with a code to `POST /v1/auth/mfa`.'),
  }),
]);
export const MeSchema = z.strictObject({
  user: UserSchema.describe('The signed-in user.'),
  tenant: z
    .strictObject({
      id: z.string().describe('`ten_…`'),
      name: z.string().describe("The organisation's name."),
    })
    .describe('The tenant (organisation) the user belongs to.'),
  mfaRequired: z.boolean().describe('The tenant requires MFA; until enrolled only enrolment works.'),
});
export const MfaEnrollmentSchema = z.strictObject({
  secret: z.string().describe('Base32 TOTP seed (for manual entry).'),
  otpauthUri: z.string().describe('`otpauth://totp/…`: render as a QR code.'),
});
export const RecoveryCodesSchema = z.strictObject({
  recoveryCodes: z.array(z.string()).describe('Ten single-use codes, shown once.'),
});

export const UpdateUserBodySchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional().describe('A new name (1–200 characters).'),
    role: Role.optional(),
  })
  .refine((body) => body.name !== undefined || body.role !== undefined, 'send name or role');

const MfaRequired = z
  .boolean()
  .describe('Every user of the tenant must enrol MFA; until they do, they can only enrol.');
export const SecuritySettingsSchema = z.strictObject({
  mfaRequired: MfaRequired,
  updatedAt: TimestampSchema.optional(),
});
export const UpdateSecuritySettingsBodySchema = z.strictObject({ mfaRequired: MfaRequired });

export const AuditEventSchema = z.strictObject({
  id: z.string().describe('`aud_…` (sorted by time)'),
  action: z
    .string()
    .describe('`auth.signed_in`, `auth.sign_in_failed`, `user.role_changed`, `agent.updated`…'),
  actor: z
    .strictObject({
      type: z
        .enum(['user', 'apiKey', 'platformAdmin', 'anonymous'])
        .describe('`user`, `apiKey`, `platformAdmin`, or `anonymous` (e.g. a password reset request).'),
      id: z.string().optional().describe('`usr_…` or `key_…`; absent for anonymous actors.'),
      email: z.string().optional().describe("The user's email address, for user actors."),
    })
    .describe('Who did it.'),
  target: z
    .strictObject({
      type: z.string().describe('What kind of thing (`user`, `agent`, `apiKey`, `invitation`…).'),
      id: z.string().describe('Its id.'),
    })
    .optional()
    .describe('What it was done to; absent for actions on no one thing (sign-in).'),
  outcome: z.enum(['success', 'failure']).describe('`success` or `failure` (a refused attempt).'),
  sourceIp: z.string().optional().describe("The client's IP address."),
  userAgent: z.string().optional().describe("The client's User-Agent header (first 256 characters)."),
  details: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .optional()
    .describe('Facts of the action (e.g. `from` and `to` of a role change); never secrets.'),
  at: TimestampSchema,
});
export const AuditQuerySchema = z.strictObject({
  ...pageQueryShape,
  action: z.string().min(1).max(64).optional().describe('Only events of this action.'),
});
