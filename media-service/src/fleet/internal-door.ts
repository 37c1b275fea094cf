import type { IncomingHttpHeaders } from 'node:http';

/** A refusal of a task-to-task request, before any token is looked at. */
export interface DoorRefusal {
  status: 403;
  code: 'forbidden';
  message: string;
}

/**
 * The first check of every task-to-task path (`/internal/commands`, `/internal/twilio/stream`):
 * tasks reach each other directly inside the VPC, and the public load balancer always adds
 * `X-Forwarded-For`, so a request carrying it came from outside and is refused whatever its
 * token. Otherwise the bearer token to verify (undefined when there is none or it is malformed).
 */
export function internalDoor(
  headers: IncomingHttpHeaders,
): { refused: DoorRefusal } | { token: string | undefined } {
  if (headers['x-forwarded-for'] !== undefined) {
    return {
      refused: { status: 403, code: 'forbidden', message: 'Not reachable through the load balancer.' },
    };
  }
  return { token: /^Bearer (\S+)$/.exec(headers.authorization ?? '')?.[1] };
}
