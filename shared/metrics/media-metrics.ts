/**
 * Metrics the media service writes as CloudWatch Embedded Metric Format records, named once for
 * the writer (`media-service/src/metrics/`) and the deployment (autoscaling, alarms, dashboard).
 * Every record carries the `service` dimension (Powertools adds it) and `Stage`, so stages sharing
 * an account stay apart; a metric's dimension set must match exactly where it is read.
 */
export const MEDIA_METRICS = {
  namespace: 'AiCaller/Media',
  serviceName: 'media',
  serviceDimension: 'service',
  /** Gauge: live calls on one task; its Average across tasks drives autoscaling, its Sum is the fleet total. */
  activeCalls: 'ActiveCalls',
  /** Counter: calls that ended, with an `Outcome` dimension (the terminal call status). */
  callsEnded: 'CallsEnded',
  /** Milliseconds from the call's start to the agent's first audio; one value per call. */
  firstAudioLatency: 'FirstAudioLatency',
  /** Milliseconds from the caller's end of speech to the agent's reply audio; one value per turn. */
  responseLatency: 'ResponseLatency',
  /** Counter: model connections re-established during calls. */
  modelReconnects: 'ModelReconnects',
  /** Counter: times calls continued on another media task after theirs died or drained (at call end). */
  callResumes: 'CallResumes',
  /** Milliseconds a caller went without the agent while the call moved to another task; one per resume. */
  resumeLatency: 'ResumeLatency',
  stageDimension: 'Stage',
  outcomeDimension: 'Outcome',
  /**
   * Counter: calls refused before a session took them (tenant limits, a full or draining task, a
   * bad or reused stream token, an unknown number), written twice in one record: with a `Reason`
   * dimension and without it (the total the alarm reads).
   */
  callsRefused: 'CallsRefused',
  reasonDimension: 'Reason',
} as const;

/** Outcomes counted as failures by the call-failure-rate alarm. */
export const FAILED_CALL_OUTCOMES = ['failed'] as const;

/** The dimensions of the media metrics that have no outcome: what dashboards and alarms name. */
export function mediaDimensions(stage: string): Record<string, string> {
  return {
    [MEDIA_METRICS.serviceDimension]: MEDIA_METRICS.serviceName,
    [MEDIA_METRICS.stageDimension]: stage,
  };
}
