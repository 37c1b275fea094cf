import { dispatchCampaigns } from '#shared/campaigns/dispatcher.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';

const logger = createLogger({ context: { service: 'dispatch-campaigns' } });

/**
 * Scheduled every minute (every 10 s locally): claims due contacts of running campaigns within
 * their calling windows and free slots, and queues their dial commands. Overlapping runs are safe
 * (a lease per campaign, conditional claims).
 */
export const handler = async () => {
  const report = await dispatchCampaigns({
    db: dbFromEnv(),
    sqs: sqsFromEnv(),
    queueUrls: queueUrlsFromEnv(),
    logger,
  });
  if (report.claimed || report.deferred || report.reconciled || report.completed) {
    logger.info('campaigns dispatched', { ...report });
  }
  return report;
};
