import { describe, expect, it } from 'vitest';
import type { MachineVerdict } from '#shared/voicemail/answered-by.ts';
import { MachineScreen, type ScreenDecision } from './machine-screen.ts';
import type { StartTimer } from './session-timers.ts';

/** A timer the test fires by hand. */
function manualTimers() {
  const pending: { run: () => void; cancelled: boolean }[] = [];
  const after: StartTimer = (_ms, run) => {
    const entry = { run, cancelled: false };
    pending.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  };
  const fire = () => {
    for (const entry of pending.splice(0)) if (!entry.cancelled) entry.run();
  };
  return { after, fire, pending };
}

const v = (
  answeredBy: MachineVerdict['answeredBy'],
  providerVerdict: string = answeredBy,
): MachineVerdict => ({
  answeredBy,
  providerVerdict,
});

function screen() {
  const timers = manualTimers();
  const decisions: ScreenDecision[] = [];
  const s = new MachineScreen({ waitMs: 35_000, after: timers.after, decided: (d) => decisions.push(d) });
  return { s, timers, decisions };
}

describe('MachineScreen', () => {
  it.each([
    ['human', 'converse', false],
    ['unknown', 'converse', false],
    ['machine', 'voicemail', true],
    ['fax', 'hang_up', true],
  ] as const)('%s → %s; audio held afterwards: %s', (answeredBy, action, holding) => {
    const { s, decisions } = screen();
    s.start();
    expect(s.holding).toBe(true);
    s.verdict(v(answeredBy));
    expect(decisions).toEqual([{ action, verdict: v(answeredBy), late: false }]);
    expect(s.holding).toBe(holding);
  });

  it('goes on as for a person when no verdict comes in time; a late machine still ends it', () => {
    const { s, timers, decisions } = screen();
    s.start();
    timers.fire();
    expect(decisions).toEqual([{ action: 'converse', late: false }]);
    expect(s.holding).toBe(false);
    s.verdict(v('human'));
    expect(decisions).toHaveLength(1);
    s.verdict(v('machine', 'machine_end_beep'));
    expect(decisions[1]).toEqual({
      action: 'voicemail',
      verdict: v('machine', 'machine_end_beep'),
      late: true,
    });
    expect(s.holding).toBe(true);
  });

  it('applies a verdict that came before start, once, and ignores repeats', () => {
    const { s, timers, decisions } = screen();
    s.verdict(v('machine', 'MACHINE/LONGGREETING'));
    expect(decisions).toEqual([]);
    s.start();
    expect(decisions).toEqual([
      { action: 'voicemail', verdict: v('machine', 'MACHINE/LONGGREETING'), late: false },
    ]);
    expect(timers.pending).toHaveLength(0);
    s.verdict(v('human'));
    timers.fire();
    expect(decisions).toHaveLength(1);
  });
});
