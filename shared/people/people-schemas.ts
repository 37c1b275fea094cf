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
  email: z.string(),
  name: z.string(),
  role: Role,
  mfaEnabled: z.boolean(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  lastSignInAt: TimestampSchema.optional(),
});

export const InvitationSchema = z.strictObject({
  id: z.string().describe('`inv_…`'),
  email: z.string(),
  role: Role,
  expiresAt: TimestampSchema.describe('72 hours after creation; the link works once.'),
  createdAt: TimestampSchema,
});

export const CreateInvitationBodySchema = z.strictObject({ email: Email, role: Role });
export const CreatedInvitationSchema = z.strictObject({
  invitation: InvitationSchema,
  token: z.string().describe('The single-use invitation token (shown once; only its hash is kept).'),
  url: z.string().describe('`<CONSOLE_URL>/accept-invitation?token=…`'),
});

export const AcceptInvitationBodySchema = z.strictObject({
  token: z.string().min(1).max(200),
  password: Password,
  name: z.string().trim().min(1).max(200),
});
export const SignInBodySchema = z.strictObject({
  email: z.string().trim().min(1).max(254),
  password: Password,
});
export const MfaSignInBodySchema = z.strictObject({ mfaToken: z.string().min(1).max(2048), code: Code });
export const RefreshBodySchema = z.strictObject({
  refreshToken: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Programs: the refresh token; browsers send the aic_refresh cookie instead.'),
});
export const SignOutBodySchema = RefreshBodySchema;
export const PasswordResetRequestBodySchema = z.strictObject({ email: z.string().trim().min(1).max(254) });
export const PasswordResetConfirmBodySchema = z.strictObject({
  token: z.string().min(1).max(200),
  password: Password,
});
export const MfaCodeBodySchema = z.strictObject({ code: Code });

export const SessionSchema = z.strictObject({
  user: UserSchema,
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
    mfaRequired: z.literal(true),
    mfaToken: z.string().describe('Valid five minutes: send it with a code to `POST /v1/auth/mfa`.'),
  }),
]);
export const MeSchema = z.strictObject({
  user: UserSchema,
  tenant: z.strictObject({ id: z.string(), name: z.string() }),
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
  .strictObject({ name: z.string().trim().min(1).max(200).optional(), role: Role.optional() })
  .refine((body) => body.name !== undefined || body.role !== undefined, 'send name or role');

export const SecuritySettingsSchema = z.strictObject({
  mfaRequired: z.boolean(),
  updatedAt: TimestampSchema.optional(),
});
export const UpdateSecuritySettingsBodySchema = z.strictObject({ mfaRequired: z.boolean() });

export const AuditEventSchema = z.strictObject({
  id: z.string().describe('`aud_…` (sorted by time)'),
  action: z
    .string()
    .describe('`auth.signed_in`, `auth.sign_in_failed`, `user.role_changed`, `agent.updated`…'),
  actor: z.strictObject({
    type: z.enum(['user', 'apiKey', 'platformAdmin', 'anonymous']),
    id: z.string().optional(),
    email: z.string().optional(),
  }),
  target: z.strictObject({ type: z.string(), id: z.string() }).optional(),
  outcome: z.enum(['success', 'failure']),
  sourceIp: z.string().optional(),
  userAgent: z.string().optional(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  at: TimestampSchema,
});
export const AuditQuerySchema = z.strictObject({
  ...pageQueryShape,
  action: z.string().min(1).max(64).optional().describe('Only events of this action.'),
});
