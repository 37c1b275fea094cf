/**
 * The media service's two health endpoints. `/health` checks dependencies and answers 503 when
 * one is down: for people and monitors. `/health/live` answers 200 while the process serves
 * requests: the load balancer's target check. A DynamoDB or ARI outage must not make ECS replace
 * every media task, since that would cut every live call instead of the few that need the store.
 */
export const MEDIA_HEALTH_PATH = '/health';
export const MEDIA_LIVENESS_PATH = '/health/live';
