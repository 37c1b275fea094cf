import type { QueueId } from '../queues/definitions.ts';

/**
 * What one handler may touch, declared beside its route, queue consumer or scheduled job. CDK
 * grants exactly this (and sets the matching environment variables); `infra/lib/handler-grants.test.ts`
 * derives the same shape from the handler's bundled modules and fails when the two differ, so a
 * capability used but not declared (or declared but no longer used) is caught before deploy.
 */
export interface HandlerGrants {
  /** The table: `read` (GetItem, BatchGetItem, Query) or `write` (reads plus every item write). */
  table?: 'read' | 'write';
  /** The platform secret (`shared/config/secrets.ts`). */
  secrets?: true;
  /** The session signing keyring (signs or verifies access tokens). */
  sessionKeys?: true;
  /** SES `SendEmail` (invitations, password resets), when the stage sets EMAIL_FROM. */
  email?: true;
  /** Queues the handler sends to (published events, jobs, media commands). */
  sendsTo?: readonly QueueId[];
  /** Reads the attributes of every queue (health probes). */
  probesQueues?: true;
  /** Moves poison messages to its own queue's DLQ (consumers only). */
  deadLetters?: true;
  /** The knowledge bucket: uploads, chunks, index versions. */
  knowledgeBucket?: 'readWrite';
  /** The exports bucket (`exports/*`, `imports/*`). */
  exportsBucket?: 'readWrite';
  /** The recordings bucket: `playback` presigns and deletes, `finish` completes dead uploads. */
  recordingsBucket?: 'playback' | 'finish';
  /** Bundles LanceDB (a native module shipped as a layer). */
  lanceDb?: true;
}
