import { dbFromEnv } from '#shared/data/client.ts';
import { getUser } from '#shared/data/users.ts';
import { NotFoundError } from '#shared/errors/app-error.ts';
import { presentUser } from '#shared/people/user-presenter.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/users/{id} */
export const handler = httpHandler(
  async ({ request }) => {
    const user = await getUser(dbFromEnv(), tenantIdOf(request), pathId(request, 'user', 'User'));
    if (!user) throw new NotFoundError('User not found.');
    return { status: 200, body: { user: presentUser(user) } };
  },
  { auth: 'apiKey' },
);
