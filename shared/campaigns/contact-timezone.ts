import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { zoneOffsetMs } from './calling-window.ts';

/**
 * The time zone a contact's calling window is read in. The rule, in order:
 *   1. the contact's own `timezone`, when given;
 *   2. the zone of the number's country, when the country keeps one clock (every zone the
 *      runtime's CLDR data lists for it has the same UTC offsets in January and July: Germany,
 *      Spain's mainland and Canaries do not, so Spain is "several");
 *   3. for a country with several clocks (US, Canada, Mexico, Brazil, Russia, Australia, …), the
 *      campaign's `timezone`, but only when that zone is one of the country's;
 *   4. otherwise none: the contact is rejected and must be uploaded with a `timezone`.
 * Limits: the country comes from the number's calling code and national prefix
 * (libphonenumber-js), never from the area code, so one US number looks like every other; mobile
 * numbers that moved with their owner keep their home country's zone.
 */
export type ContactZone =
  | { ok: true; timeZone: string; source: 'contact' | 'country' | 'campaign' }
  | { ok: false; error: 'unknown_country' | 'timezone_required'; country?: string };

/** Every zone of a region (ISO 3166 code) per the runtime's CLDR data. */
export function zonesOfCountry(country: string): string[] {
  const locale = new Intl.Locale(`und-${country}`) as Intl.Locale & {
    getTimeZones?: () => string[];
    timeZones?: string[];
  };
  return locale.getTimeZones?.() ?? locale.timeZones ?? [];
}

/** True when every zone keeps the same offsets as the first in January and in July of `year`. */
function keepOneClock(zones: readonly string[], year: number): boolean {
  const instants = [Date.UTC(year, 0, 15, 12), Date.UTC(year, 6, 15, 12)];
  const [first, ...rest] = zones;
  if (!first) return false;
  return rest.every((zone) => instants.every((ms) => zoneOffsetMs(ms, zone) === zoneOffsetMs(ms, first)));
}

const countryCache = new Map<string, ContactZone>();

export function contactTimeZone(input: {
  number: string;
  timezone?: string;
  campaignTimeZone?: string;
  now?: Date;
}): ContactZone {
  if (input.timezone) return { ok: true, timeZone: input.timezone, source: 'contact' };
  const country = parsePhoneNumberFromString(input.number)?.country;
  if (!country) return { ok: false, error: 'unknown_country' };
  const year = (input.now ?? new Date()).getUTCFullYear();
  const cacheKey = `${country}:${year}:${input.campaignTimeZone ?? ''}`;
  const cached = countryCache.get(cacheKey);
  if (cached) return cached;
  const zones = zonesOfCountry(country);
  let result: ContactZone;
  if (zones.length > 0 && keepOneClock(zones, year)) {
    result = { ok: true, timeZone: zones[0] as string, source: 'country' };
  } else if (input.campaignTimeZone && zones.includes(input.campaignTimeZone)) {
    result = { ok: true, timeZone: input.campaignTimeZone, source: 'campaign' };
  } else {
    result = { ok: false, error: 'timezone_required', country };
  }
  countryCache.set(cacheKey, result);
  return result;
}
