import { describe, expect, it } from 'vitest';
import { emptyUsage } from '../calls/call-types.ts';
import { billableSeconds, callCost, microsToUsd, summaryCostMicros } from './cost.ts';
import { PRICE_TABLES, type PriceTable, priceTable } from './price-table.ts';

describe('billableSeconds', () => {
  const cases: [string, number | undefined, { incrementSeconds: number; minimumSeconds: number }, number][] =
    [
      ['never connected', 0, { incrementSeconds: 6, minimumSeconds: 6 }, 0],
      ['unknown duration', undefined, { incrementSeconds: 6, minimumSeconds: 6 }, 0],
      ['negative duration', -3, { incrementSeconds: 6, minimumSeconds: 6 }, 0],
      ['below the minimum', 2, { incrementSeconds: 6, minimumSeconds: 6 }, 6],
      ['on an increment', 12, { incrementSeconds: 6, minimumSeconds: 6 }, 12],
      ['just over an increment', 12.2, { incrementSeconds: 6, minimumSeconds: 6 }, 18],
      ['float noise is not a new increment', 60.0000001, { incrementSeconds: 60, minimumSeconds: 0 }, 60],
      ['per started minute', 61, { incrementSeconds: 60, minimumSeconds: 60 }, 120],
      ['per second', 61.4, { incrementSeconds: 1, minimumSeconds: 0 }, 62],
      ['minimum above the increment', 10, { incrementSeconds: 1, minimumSeconds: 30 }, 30],
    ];
  for (const [name, seconds, rule, expected] of cases) {
    it(name, () => expect(billableSeconds(seconds, rule)).toBe(expected));
  }
});

const table: PriceTable = {
  version: 'test',
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
    transcription: { inputPerMTok: 3, outputPerMTok: 5, perMinute: 0.006 },
    summary: { inputPerMTok: 0.25, outputPerMTok: 2 },
  },
};

describe('callCost', () => {
  it('charges billable minutes at the per-minute rate', () => {
    expect(callCost(90, emptyUsage(), table)).toEqual({
      chargeMicros: 180_000,
      realtimeMicros: 0,
      transcriptionMicros: 0,
    });
  });

  it('bills cached input at the cached rate and only the rest at the full rate', () => {
    const usage = {
      ...emptyUsage(),
      inputTextTokens: 1_000,
      inputCachedTextTokens: 400,
      inputAudioTokens: 10_000,
      inputCachedAudioTokens: 2_000,
      inputCachedTokens: 2_400,
      outputTextTokens: 500,
      outputAudioTokens: 5_000,
    };
    // 600×4 + 8000×32 + 400×0.4 + 2000×0.4 + 500×16 + 5000×64 (micro-dollars per token = USD per M tokens)
    expect(callCost(0, usage, table).realtimeMicros).toBe(2_400 + 256_000 + 160 + 800 + 8_000 + 320_000);
  });

  it('prices transcription by tokens and by duration', () => {
    const usage = {
      ...emptyUsage(),
      transcriptionInputTokens: 1_000,
      transcriptionOutputTokens: 200,
      transcriptionSeconds: 30,
    };
    expect(callCost(0, usage, table).transcriptionMicros).toBe(3_000 + 1_000 + 3_000);
  });

  it('prices summaries and shows micros as dollars', () => {
    expect(summaryCostMicros(1_000, 100, table)).toBe(250 + 200);
    expect(microsToUsd(1_234_567)).toBe(1.234567);
  });
});

describe('priceTable', () => {
  it('picks the newest version by default and applies rounding overrides', () => {
    expect(priceTable().version).toBe(PRICE_TABLES.at(-1)?.version);
    expect(priceTable(undefined, { incrementSeconds: 60 }).rounding.incrementSeconds).toBe(60);
    expect(priceTable(undefined, { incrementSeconds: 60 }).rounding.minimumSeconds).toBe(
      PRICE_TABLES.at(-1)?.rounding.minimumSeconds,
    );
  });

  it('refuses an unknown version', () => {
    expect(() => priceTable('1999-01')).toThrow(/Unknown price table version/);
  });
});
