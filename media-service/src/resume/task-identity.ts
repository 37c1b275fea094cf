import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * A media task's id on the calls it owns: unique per process (a restarted task is another owner),
 * readable in the table (host name first).
 */
export function newTaskId(): string {
  return `${hostname().slice(0, 40)}-${process.pid}-${randomBytes(4).toString('hex')}`;
}
