import { describe, expect, it } from 'vitest';
import {
  parseWavHeader,
  UNKNOWN_SIZE,
  WAV_HEADER_BYTES,
  wavMulawHeader,
} from '#shared/recordings/wav-header.ts';
import { Pcm24kToMulaw8k } from './downsampler.ts';
import { alawToLinear, alawToMulaw, linearToMulaw, MULAW_SILENCE, mulawToLinear } from './g711.ts';
import { deinterleave, interleave, mix } from './recording-frames.ts';

describe('G.711', () => {
  it.each([
    // [linear, μ-law byte] from the G.711 tables (segment boundaries and both signs).
    [0, 0xff],
    [-1, 0x7f],
    [8, 0xfe],
    [-8, 0x7e],
    [100, 0xf2],
    [1000, 0xce],
    [-1000, 0x4e],
    [8031, 0xa0],
    [32767, 0x80],
    [-32768, 0x00],
  ])('μ-law encodes %i as 0x%s', (linear, byte) => {
    expect(linearToMulaw(linear)).toBe(byte);
  });

  it.each([
    [0xff, 0],
    [0x7f, 0],
    [0x80, 32124],
    [0x00, -32124],
    [0xce, 988],
    [0x4e, -988],
  ])('μ-law decodes 0x%s as %i', (byte, linear) => {
    expect(mulawToLinear(byte)).toBe(linear);
  });

  it('μ-law round-trips every code (decode then encode is the identity, but for -0)', () => {
    for (let byte = 0; byte < 256; byte++) {
      const expected = byte === 0x7f ? 0xff : byte; // 0x7f is negative zero
      expect(linearToMulaw(mulawToLinear(byte))).toBe(expected);
    }
  });

  it.each([
    [0xd5, 8],
    [0x55, -8],
    [0xaa, 32256],
    [0x2a, -32256],
  ])('A-law decodes 0x%s as %i', (byte, linear) => {
    expect(alawToLinear(byte)).toBe(linear);
  });

  it('A-law converts to μ-law at the same level', () => {
    const out = alawToMulaw(Buffer.from([0xd5, 0xaa, 0x2a]));
    expect([...out].map((b) => mulawToLinear(b))).toEqual([8, 32124, -32124]);
  });
});

describe('WAV header (μ-law)', () => {
  it.each([
    { channels: 2 as const, dataBytes: 16_000, riff: 16_050, byteRate: 16_000, fact: 8_000 },
    { channels: 1 as const, dataBytes: 8_000, riff: 8_050, byteRate: 8_000, fact: 8_000 },
    { channels: 2 as const, dataBytes: 0, riff: 50, byteRate: 16_000, fact: 0 },
  ])('$channels channel(s), $dataBytes bytes', ({ channels, dataBytes, riff, byteRate, fact }) => {
    const header = wavMulawHeader(channels, dataBytes);
    expect(header.length).toBe(WAV_HEADER_BYTES);
    expect(header.toString('ascii', 0, 4)).toBe('RIFF');
    expect(header.readUInt32LE(4)).toBe(riff);
    expect(header.readUInt16LE(20)).toBe(7); // WAVE_FORMAT_MULAW
    expect(header.readUInt32LE(28)).toBe(byteRate);
    expect(header.readUInt16LE(32)).toBe(channels);
    expect(header.toString('ascii', 38, 42)).toBe('fact');
    expect(header.readUInt32LE(46)).toBe(fact);
    expect(parseWavHeader(header)).toEqual({
      formatTag: 7,
      channels,
      sampleRate: 8000,
      bitsPerSample: 8,
      dataBytes,
      dataOffset: WAV_HEADER_BYTES,
    });
  });

  it('a streaming header has every size unknown', () => {
    const header = wavMulawHeader(2);
    expect(header.readUInt32LE(4)).toBe(UNKNOWN_SIZE);
    expect(header.readUInt32LE(46)).toBe(UNKNOWN_SIZE);
    expect(parseWavHeader(header).dataBytes).toBe(UNKNOWN_SIZE);
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['not RIFF', Buffer.from('RIFX\0\0\0\0WAVE')],
    ['no data chunk', wavMulawHeader(1, 0).subarray(0, 50)],
  ])('refuses %s', (_name, bytes) => {
    expect(() => parseWavHeader(bytes)).toThrow();
  });
});

describe('recording frames', () => {
  it.each([
    { caller: [1, 2, 3], agent: [9, 8, 7], dual: [1, 9, 2, 8, 3, 7] },
    { caller: [], agent: [], dual: [] },
  ])('interleaves caller left, agent right: $caller + $agent', ({ caller, agent, dual }) => {
    const out = interleave(Buffer.from(caller), Buffer.from(agent));
    expect([...out]).toEqual(dual);
    expect(deinterleave(out)).toEqual({ left: Buffer.from(caller), right: Buffer.from(agent) });
  });

  it('refuses tracks of different lengths', () => {
    expect(() => interleave(Buffer.alloc(2), Buffer.alloc(3))).toThrow();
    expect(() => mix(Buffer.alloc(2), Buffer.alloc(3))).toThrow();
  });

  it.each([
    { name: 'silence + silence', caller: 0, agent: 0, sum: 0 },
    { name: 'caller alone passes through', caller: 1000, agent: 0, sum: 988 },
    { name: 'agent alone passes through', caller: 0, agent: -1000, sum: -988 },
    { name: 'both add up', caller: 1000, agent: 1000, sum: 1980 },
    { name: 'opposites cancel', caller: 5000, agent: -5000, sum: 0 },
    { name: 'clips at full scale', caller: 30000, agent: 30000, sum: 32124 },
  ])('mixes to one channel: $name', ({ caller, agent, sum }) => {
    const out = mix(Buffer.of(linearToMulaw(caller)), Buffer.of(linearToMulaw(agent)));
    expect(out.length).toBe(1);
    expect(Math.abs(mulawToLinear(out[0] as number) - sum)).toBeLessThanOrEqual(Math.abs(sum) * 0.04 + 8);
  });

  it('mixing with silence keeps the other track byte for byte', () => {
    const speech = Buffer.from([0x12, 0x34, 0x56, 0x9a]);
    expect(mix(speech, Buffer.alloc(4, MULAW_SILENCE))).toEqual(speech);
    expect(mix(Buffer.alloc(4, MULAW_SILENCE), speech)).toEqual(speech);
  });
});

/** PCM16 LE at 24 kHz of a sine tone. */
function tone(hz: number, samples: number, amplitude = 10_000): Buffer {
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++)
    out.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / 24_000)), 2 * i);
  return out;
}

/** Root-mean-square level of μ-law audio, skipping the filter's warm-up. */
function rms(mulaw: Buffer, skip = 20): number {
  let sum = 0;
  for (let i = skip; i < mulaw.length; i++) sum += mulawToLinear(mulaw[i] as number) ** 2;
  return Math.sqrt(sum / (mulaw.length - skip));
}

describe('browser audio down-sampling (PCM16 24 kHz → μ-law 8 kHz)', () => {
  it.each([
    { hz: 400, minRatio: 0.95, maxRatio: 1.05 },
    { hz: 1000, minRatio: 0.95, maxRatio: 1.05 },
    { hz: 3000, minRatio: 0.8, maxRatio: 1.1 },
    // Above the output's 4 kHz Nyquist: would alias to 2 kHz without the low-pass.
    { hz: 6000, minRatio: 0, maxRatio: 0.05 },
    { hz: 10000, minRatio: 0, maxRatio: 0.05 },
  ])('a $hz Hz tone keeps between $minRatio and $maxRatio of its level', ({ hz, minRatio, maxRatio }) => {
    const out = new Pcm24kToMulaw8k().convert(tone(hz, 24_000));
    expect(out.length).toBe(8_000);
    const ratio = rms(out) / (10_000 / Math.SQRT2);
    expect(ratio).toBeGreaterThanOrEqual(minRatio);
    expect(ratio).toBeLessThanOrEqual(maxRatio);
  });

  it.each([[1], [7], [480], [4801]])('gives the same bytes when fed in chunks of %i bytes', (chunk) => {
    const input = tone(700, 6_000);
    const whole = new Pcm24kToMulaw8k().convert(input);
    const converter = new Pcm24kToMulaw8k();
    const pieces: Buffer[] = [];
    for (let i = 0; i < input.length; i += chunk)
      pieces.push(converter.convert(input.subarray(i, i + chunk)));
    expect(Buffer.concat(pieces)).toEqual(whole);
    expect(whole.length).toBe(2_000);
  });

  it('silence stays μ-law silence', () => {
    expect(new Pcm24kToMulaw8k().convert(Buffer.alloc(4_800))).toEqual(Buffer.alloc(800, MULAW_SILENCE));
  });
});
