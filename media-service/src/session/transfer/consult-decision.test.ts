import { describe, expect, it } from 'vitest';
import { type ConsultInput, type ConsultPhase, type ConsultStep, consultStep } from './consult-decision.ts';

describe('consultStep', () => {
  it.each<[ConsultPhase, ConsultInput, ConsultStep]>([
    ['ringing', { kind: 'leg_ended', why: 'no_answer' }, { action: 'give_up', outcome: 'no_answer' }],
    ['ringing', { kind: 'leg_ended', why: 'busy' }, { action: 'give_up', outcome: 'busy' }],
    ['ringing', { kind: 'leg_ended', why: 'failed' }, { action: 'give_up', outcome: 'failed' }],
    ['ringing', { kind: 'leg_ended', why: 'hung_up' }, { action: 'give_up', outcome: 'failed' }],
    ['ringing', { kind: 'digit', digit: '1' }, { action: 'wait' }],
    ['ringing', { kind: 'window_elapsed' }, { action: 'wait' }],
    ['briefing', { kind: 'digit', digit: '1' }, { action: 'connect' }],
    ['briefing', { kind: 'digit', digit: '2' }, { action: 'give_up', outcome: 'declined' }],
    ['briefing', { kind: 'digit', digit: '7' }, { action: 'wait' }],
    ['briefing', { kind: 'window_elapsed' }, { action: 'wait' }],
    ['briefing', { kind: 'leg_ended', why: 'hung_up' }, { action: 'give_up', outcome: 'declined' }],
    ['deciding', { kind: 'window_elapsed' }, { action: 'connect' }],
    ['deciding', { kind: 'digit', digit: '2' }, { action: 'give_up', outcome: 'declined' }],
    ['deciding', { kind: 'leg_ended', why: 'hung_up' }, { action: 'give_up', outcome: 'declined' }],
  ])('%s + %j → %j', (phase, input, step) => {
    expect(consultStep(phase, input)).toEqual(step);
  });
});
