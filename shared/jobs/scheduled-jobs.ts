import type { HandlerGrants } from '../grants/handler-grants.ts';

/**
 * Handlers that run on a clock rather than on a request or a message. CDK turns each into an
 * EventBridge rule; the local platform (`npm start`) runs the same handlers on a timer.
 */
export interface ScheduledJob {
  /** Construct id of the function and its rule. */
  id: string;
  /** Handler file (exports `handler`), relative to the repository root. */
  handler: string;
  /** What the job's function may touch. */
  grants: HandlerGrants;
  /** How often the job runs. EventBridge's finest rate is one minute. */
  everyMinutes: number;
  timeoutSeconds: number;
  description: string;
  /** Locally (`npm start`) the job runs this often instead, where a minute is too slow to watch. */
  localEveryMs?: number;
}

export const SCHEDULED_JOBS: readonly ScheduledJob[] = [
  {
    id: 'SweepCalls',
    handler: 'functions/jobs/sweep-calls.ts',
    grants: {
      table: 'write',
      secrets: true,
      sendsTo: ['summaries', 'usage', 'webhooks', 'campaignOutcomes'],
    },
    everyMinutes: 1,
    timeoutSeconds: 60,
    description: 'Ends calls whose media stream never connected; re-publishes deferred call events',
  },
  {
    id: 'SweepRecordings',
    handler: 'functions/jobs/sweep-recordings.ts',
    grants: {
      table: 'write',
      sendsTo: ['summaries', 'usage', 'webhooks', 'campaignOutcomes'],
      recordingsBucket: 'finish',
    },
    everyMinutes: 1,
    timeoutSeconds: 120,
    description: 'Completes or aborts the recordings of calls whose media task died',
  },
  {
    id: 'SweepLostCalls',
    handler: 'functions/jobs/sweep-lost-calls.ts',
    grants: {
      table: 'write',
      sendsTo: ['summaries', 'usage', 'webhooks', 'campaignOutcomes'],
    },
    everyMinutes: 1,
    timeoutSeconds: 60,
    description: 'Ends calls whose media was lost (closed tab, dead media task) and that nobody resumed',
  },
  {
    // A rate, not a cron per base: a base's refresh time follows its last sync, so many bases
    // spread over the day.
    id: 'MaintainKnowledgeBases',
    handler: 'functions/jobs/maintain-knowledge-bases.ts',
    grants: {
      table: 'write',
      secrets: true,
      sendsTo: ['knowledgeCrawl', 'knowledgeIndex'],
      knowledgeBucket: 'readWrite',
    },
    everyMinutes: 5,
    timeoutSeconds: 120,
    description: 'Knowledge bases: sync watchdog and scheduled refreshes',
  },
  {
    id: 'DispatchCampaigns',
    handler: 'functions/jobs/dispatch-campaigns.ts',
    grants: { table: 'write', sendsTo: ['campaignDials'] },
    everyMinutes: 1,
    timeoutSeconds: 60,
    description: 'Claims due campaign contacts within their calling windows and queues their dials',
    localEveryMs: 10_000,
  },
];
