import { describe, expect, it } from 'vitest';
import type { Campaign } from '../api/contracts.ts';
import { CampaignFormError, campaignFormToBody, campaignToForm } from './campaign-form.ts';
import {
  campaignActions,
  campaignProgress,
  contactStateTone,
  countsMoving,
  isEditable,
} from './campaign-state.ts';
import { ContactRowsError, csvRecords, parseContactRows } from './contact-rows.ts';

const zero = {
  pending: 0,
  scheduled: 0,
  dialing: 0,
  in_call: 0,
  completed: 0,
  no_answer: 0,
  busy: 0,
  voicemail: 0,
  failed: 0,
  skipped_dnc: 0,
  exhausted: 0,
};

const campaign: Campaign = {
  id: 'cmp_1',
  name: 'Reminders',
  agentId: 'agt_1',
  from: ['+16285551000', '+16285551001'],
  schedule: { startAt: '2027-03-01T09:00:00.000Z' },
  callingWindow: { days: ['mon', 'wed'], start: '09:00', end: '17:30' },
  timezone: 'America/Chicago',
  maxConcurrentCalls: 4,
  retry: {
    onNoAnswer: { maxAttempts: 3, delayMinutes: 30 },
    onBusy: { maxAttempts: 1, delayMinutes: 0 },
    onVoicemail: { maxAttempts: 2, delayMinutes: 120 },
    onFailed: { maxAttempts: 1, delayMinutes: 0 },
  },
  variables: { clinic: 'North' },
  placeholders: ['clinic'],
  status: 'draft',
  counts: zero,
  createdAt: '2027-02-01T00:00:00.000Z',
  updatedAt: '2027-02-01T00:00:00.000Z',
};

describe('campaign form', () => {
  it('round-trips a campaign into a PATCH body', () => {
    const body = campaignFormToBody(campaignToForm(campaign), 'edit');
    expect(body).toEqual({
      name: 'Reminders',
      from: ['+16285551000', '+16285551001'],
      schedule: { startAt: '2027-03-01T09:00:00.000Z' },
      callingWindow: { days: ['mon', 'wed'], start: '09:00', end: '17:30' },
      timezone: 'America/Chicago',
      maxConcurrentCalls: 4,
      retry: campaign.retry,
      variables: { clinic: 'North' },
    });
  });

  it('clears with null when editing, leaves out when creating', () => {
    const form = { ...campaignToForm(), name: ' New ', agentId: 'agt_2' };
    expect(campaignFormToBody(form, 'edit')).toMatchObject({ from: null, timezone: null, variables: null });
    const created = campaignFormToBody(form, 'create');
    expect(created).toMatchObject({ name: 'New', agentId: 'agt_2', schedule: {}, maxConcurrentCalls: 10 });
    expect(created).not.toHaveProperty('from');
    expect(created).not.toHaveProperty('timezone');
    expect(created).not.toHaveProperty('variables');
    expect(created.callingWindow).toEqual({
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      start: '09:00',
      end: '18:00',
    });
  });

  it('keeps days in week order and one caller id as a string', () => {
    const form = { ...campaignToForm(campaign), days: ['sun', 'mon'] as const, from: '+16285551000' };
    const body = campaignFormToBody({ ...form, days: [...form.days] }, 'create');
    expect(body.callingWindow).toMatchObject({ days: ['mon', 'sun'] });
    expect(body.from).toBe('+16285551000');
  });

  it.each([
    [{ maxConcurrentCalls: '2.5' }, 'Calls at once must be a whole number.'],
    [{ variables: [{ name: '', value: 'x' }] }, 'A variable has a value but no name.'],
    [
      {
        variables: [
          { name: 'a', value: '1' },
          { name: 'a', value: '2' },
        ],
      },
      'The variable a is there twice.',
    ],
    [{ startAt: 'soon' }, '"soon" is not a date and time.'],
  ])('refuses %j', (patch, message) => {
    expect(() => campaignFormToBody({ ...campaignToForm(campaign), ...patch }, 'edit')).toThrow(
      new CampaignFormError(message),
    );
  });
});

describe('pasted contacts', () => {
  it.each([
    ['number\n+442071838750\n\n+442071838751', [{ number: '+442071838750' }, { number: '+442071838751' }]],
    [
      'Phone,timezone,firstName,slot\n+14155550100,America/Denver,Ada,"3 pm, Tuesday"\n+14155550101,,"Bo ""B""",',
      [
        {
          number: '+14155550100',
          timezone: 'America/Denver',
          variables: { firstName: 'Ada', slot: '3 pm, Tuesday' },
        },
        { number: '+14155550101', variables: { firstName: 'Bo "B"' } },
      ],
    ],
    ['number\tname\r\n+442071838750\tAda\r\n', [{ number: '+442071838750', variables: { name: 'Ada' } }]],
    ['[{"number":"+1"},{"phone":"x"}]', [{ number: '+1' }, { phone: 'x' }]],
    ['{"contacts":[{"number":"+1"}]}', [{ number: '+1' }]],
  ])('%j', (text, contacts) => {
    expect(parseContactRows(text)).toEqual(contacts);
  });

  it.each([
    ['', 'Paste at least one contact.'],
    ['number', 'No contacts found: add rows under the header.'],
    ['+442071838750', 'The first row must be a header with a number column'],
    ['[{"number":', 'This is not valid JSON'],
    ['{"number":"+1"}', 'The JSON must be an array of contacts.'],
    [`number\n${'+1\n'.repeat(1001)}`, '1001 contacts: paste at most 1000 at once'],
  ])('refuses %j', (text, message) => {
    expect(() => parseContactRows(text)).toThrow(ContactRowsError);
    expect(() => parseContactRows(text)).toThrow(message);
  });

  it('reads quoted line breaks as part of a cell', () => {
    expect(csvRecords('a,b\n"x\ny",z')).toEqual([
      ['a', 'b'],
      ['x\ny', 'z'],
    ]);
  });
});

describe('campaign state', () => {
  it.each([
    ['draft', ['start', 'cancel'], true],
    ['running', ['pause', 'cancel'], false],
    ['paused', ['resume', 'cancel'], true],
    ['completed', [], false],
    ['canceled', [], false],
  ] as const)('%s → %j, editable %s', (status, actions, editable) => {
    expect(campaignActions(status)).toEqual(actions);
    expect(isEditable(status)).toBe(editable);
  });

  it('counts done, active and waiting contacts', () => {
    expect(campaignProgress(zero)).toEqual({ total: 0, done: 0, active: 0, waiting: 0, percent: null });
    expect(
      campaignProgress({
        ...zero,
        pending: 2,
        scheduled: 1,
        dialing: 1,
        in_call: 1,
        completed: 3,
        skipped_dnc: 2,
      }),
    ).toEqual({ total: 10, done: 5, active: 2, waiting: 3, percent: 50 });
  });

  it.each([
    ['running', {}, true],
    ['paused', {}, false],
    ['paused', { in_call: 1 }, true],
    ['canceled', { dialing: 2 }, true],
    ['completed', { completed: 4 }, false],
  ] as const)('%s with %j: counts moving %s', (status, counts, moving) => {
    expect(countsMoving({ status, counts: { ...zero, ...counts } })).toBe(moving);
  });

  it.each([
    ['dialing', 'live'],
    ['completed', 'good'],
    ['pending', 'neutral'],
    ['exhausted', 'bad'],
    ['no_answer', 'warn'],
  ] as const)('%s is %s', (state, tone) => {
    expect(contactStateTone(state)).toBe(tone);
  });
});
