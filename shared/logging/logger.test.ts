import { describe, expect, it } from 'vitest';
import { runWithTrace } from '../observability/trace-scope.ts';
import { createLogger } from './logger.ts';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';

function collect(options: Parameters<typeof createLogger>[0] = {}) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'info', ...options, write: (line) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('logger', () => {
  it('puts the trace id of the current scope on every line, unless the context names one', () => {
    const { logger, lines } = collect();
    runWithTrace({ root: ROOT }, () =>
      logger.child({ callId: 'call_1', tenantId: 'ten_1' }).info('in scope'),
    );
    logger.info('outside');
    logger.child({ traceId: '1-00000000-000000000000000000000000' }).info('own trace');
    expect(lines.map((l) => [l.msg, l.traceId, l.callId])).toEqual([
      ['in scope', ROOT, 'call_1'],
      ['outside', undefined, undefined],
      ['own trace', '1-00000000-000000000000000000000000', undefined],
    ]);
  });

  it('still redacts secrets and masks numbers in every line', () => {
    const { logger, lines } = collect();
    runWithTrace({ root: ROOT }, () =>
      logger
        .child({ callId: 'call_1' })
        .info('webhook', { from: '+14155550123', apiKey: 'sk_live_x', text: 'hello' }),
    );
    expect(lines[0]).toMatchObject({ from: '***23', apiKey: '[redacted]', text: '[5 chars]', traceId: ROOT });
  });

  it('writes a stack trace on error lines only: warn and info lines are handled conditions', () => {
    const { logger, lines } = collect();
    const failure = new Error('upstream said no', { cause: new Error('socket closed') });
    logger.error('fault', { err: failure });
    logger.warn('handled', { err: failure });
    logger.info('noted', { error: failure });
    const [fault, handled, noted] = lines as { error: Record<string, unknown> }[];
    expect(fault?.error.stack).toMatch(/^Error: upstream said no\n\s+at /);
    expect((fault?.error.cause as Record<string, unknown> | undefined)?.stack).toMatch(/socket closed/);
    for (const line of [handled, noted]) {
      expect(line?.error).toEqual({
        name: 'Error',
        message: 'upstream said no',
        cause: { name: 'Error', message: 'socket closed' },
      });
    }
  });

  it.each([
    [0, [0.5], false],
    [0.1, [0.05], true],
    [0.1, [0.5], false],
    [1, [0.99], true],
  ])('samples debug logs per unit of work (rate %s, draw %s → debug %s)', (rate, draws, sampled) => {
    const { logger, lines } = collect({ debugSampleRate: rate, random: () => draws.shift() ?? 1 });
    const call = logger.child({ callId: 'call_1' });
    call.debug('detail');
    call.child({ component: 'model' }).debug('nested detail');
    logger.debug('process-level detail');
    expect(lines.map((l) => l.msg)).toEqual(sampled ? ['detail', 'nested detail'] : []);
    if (sampled) expect(lines[0]?.debugSampled).toBe(true);
  });
});
