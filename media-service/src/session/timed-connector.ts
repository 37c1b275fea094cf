import type { ModelConnector } from '../realtime/model-pool.ts';
import type { TelemetrySpan } from './latency-telemetry.ts';

/**
 * `connector`, reporting every socket the call takes (the first and each reconnect) as a
 * `model-connect` step of its trace: how long the call waited, whether a warm socket was ready,
 * and the attempts that failed. Per call, so the pool itself stays unaware of traces.
 */
export function timedConnector(
  connector: ModelConnector,
  step: (span: TelemetrySpan) => void,
): ModelConnector {
  return {
    async acquire(model) {
      const startMs = Date.now();
      try {
        const connection = await connector.acquire(model);
        const warm = connection.openedAtMs < startMs;
        step({ name: 'model-connect', startMs, endMs: Date.now(), annotations: { warm } });
        return connection;
      } catch (error) {
        step({ name: 'model-connect', startMs, endMs: Date.now(), failed: true });
        throw error;
      }
    },
    snapshot: () => connector.snapshot(),
    close: () => connector.close(),
  };
}
