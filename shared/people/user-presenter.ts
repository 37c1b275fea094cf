import type { UserRecord } from '../data/users.ts';
import type { Role } from './permissions.ts';

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  mfaEnabled: boolean;
  createdAt: string;
  updatedAt: string;
  lastSignInAt?: string;
}

/** Names every published field: hashes, seeds and recovery codes never leave. */
export function presentUser(user: UserRecord): PublicUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    mfaEnabled: user.mfaEnabled,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    ...(user.lastSignInAt ? { lastSignInAt: user.lastSignInAt } : {}),
  };
}
