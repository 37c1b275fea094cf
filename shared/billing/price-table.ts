/**
 * Versioned price tables. A usage record stores the version it was priced with, so changing prices
 * means adding a version here (never editing a published one): old records keep their meaning.
 *
 * Billing model: a tenant pays `perMinuteUsd` per billable minute (billable seconds come from the
 * call's connected duration and the rounding rule). That is the figure reported to Stripe. The
 * provider rates price the model usage of the call (OpenAI list prices per million tokens or per
 * minute) so operators see the cost to serve each call next to what it earns.
 */
export interface RoundingRule {
  /** Bill in steps of this many seconds, rounding up (60 = per started minute, 1 = per second). */
  incrementSeconds: number;
  /** A connected call is billed at least this long; unanswered calls are never billed. */
  minimumSeconds: number;
}

export interface TokenRates {
  /** USD per million tokens. */
  inputText: number;
  inputAudio: number;
  cachedInputText: number;
  cachedInputAudio: number;
  outputText: number;
  outputAudio: number;
}

export interface PriceTable {
  version: string;
  currency: 'usd';
  perMinuteUsd: number;
  rounding: RoundingRule;
  provider: {
    realtime: TokenRates;
    /** Input transcription: per million tokens, or per minute when the model bills by duration. */
    transcription: { inputPerMTok: number; outputPerMTok: number; perMinute: number };
    summary: { inputPerMTok: number; outputPerMTok: number };
  };
}

export const PRICE_TABLES: readonly PriceTable[] = [
  {
    version: '2025-09',
    currency: 'usd',
    perMinuteUsd: 0.12,
    rounding: { incrementSeconds: 6, minimumSeconds: 6 },
    provider: {
      realtime: {
        inputText: 4,
        inputAudio: 32,
        cachedInputText: 0.4,
        cachedInputAudio: 0.4,
        outputText: 16,
        outputAudio: 64,
      },
      transcription: { inputPerMTok: 3, outputPerMTok: 5, perMinute: 0.003 },
      summary: { inputPerMTok: 0.25, outputPerMTok: 2 },
    },
  },
];

/** The table for `version`, the newest when absent; an unknown version is a configuration error. */
export function priceTable(
  version?: string,
  overrides: Partial<RoundingRule> = {},
  tables: readonly PriceTable[] = PRICE_TABLES,
): PriceTable {
  const table = version ? tables.find((t) => t.version === version) : tables.at(-1);
  if (!table) throw new Error(`Unknown price table version ${version}`);
  return {
    ...table,
    rounding: {
      incrementSeconds: overrides.incrementSeconds ?? table.rounding.incrementSeconds,
      minimumSeconds: overrides.minimumSeconds ?? table.rounding.minimumSeconds,
    },
  };
}
