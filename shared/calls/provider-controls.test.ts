import { describe, expect, it } from 'vitest';
import { PROVIDER_CONTROLS } from './provider-controls.ts';
import { CALL_PROVIDERS, PHONE_PROVIDERS } from './providers.ts';

const controls: Readonly<Record<string, { place?: unknown; end?: unknown; notPlaceable?: unknown }>> =
  PROVIDER_CONTROLS;
const isPhoneProvider = (provider: string) => (PHONE_PROVIDERS as readonly string[]).includes(provider);

describe('provider controls', () => {
  it('has one entry per provider of the list, and none for anything else', () => {
    expect(Object.keys(controls).sort()).toEqual([...CALL_PROVIDERS].sort());
  });

  it.each(CALL_PROVIDERS.map((provider) => [provider]))('%s calls can be ended from the API', (provider) => {
    expect(typeof controls[provider]?.end).toBe('function');
  });

  it.each(CALL_PROVIDERS.map((provider) => [provider]))(
    '%s calls are placed by its control, or it says why they cannot be',
    (provider) => {
      const control = controls[provider];
      if (isPhoneProvider(provider)) {
        expect(typeof control?.place).toBe('function');
        expect(control?.notPlaceable).toBeUndefined();
      } else {
        expect(control?.place).toBeUndefined();
        expect(control?.notPlaceable).toEqual(expect.stringMatching(/\w/));
      }
    },
  );

  it('leaves browser calls unplaceable (a browser starts them)', () => {
    expect(isPhoneProvider('web')).toBe(false);
    expect(controls.web?.notPlaceable).toMatch(/browser/);
  });
});
