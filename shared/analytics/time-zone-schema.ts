import { z } from 'zod';
import { isValidTimeZone } from './time-zones.ts';

/** An IANA time zone name (`America/Los_Angeles`, `UTC`), checked against the runtime's zone data. */
export const TimeZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .refine(isValidTimeZone, 'must be an IANA time zone name such as UTC, Europe/Berlin or America/New_York')
  .describe('IANA time zone name.');
