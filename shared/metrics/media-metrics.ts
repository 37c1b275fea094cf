/**
 * Custom CloudWatch metrics the media service publishes, named once for the publisher
 * (`media-service/src/metrics/`) and the deployment (autoscaling, alarms, dashboard).
 * Every datapoint carries the `Stage` dimension, so stages sharing an account stay apart.
 */
export const MEDIA_METRICS = {
  namespace: 'AiCaller/Media',
  /** Gauge: live calls on one task; its Average across tasks drives autoscaling, its Sum is the fleet total. */
  activeCalls: 'ActiveCalls',
  /** Counter: calls that ended, with an `Outcome` dimension (the terminal call status). */
  callsEnded: 'CallsEnded',
  stageDimension: 'Stage',
  outcomeDimension: 'Outcome',
} as const;

/** Outcomes counted as failures by the call-failure-rate alarm. */
export const FAILED_CALL_OUTCOMES = ['failed'] as const;
