import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { LANCE_ARCHITECTURE, lanceNativePackage } from './platform-function.ts';

/** ELF header e_machine values (offset 18, little-endian). */
const ELF_MACHINE = { x86_64: 0x3e, arm64: 0xb7 } as const;

describe('LanceDB packaging', () => {
  it('names the native package of each Lambda architecture', () => {
    expect(lanceNativePackage(lambda.Architecture.X86_64)).toBe('@lancedb/lancedb-linux-x64-gnu');
    expect(lanceNativePackage(lambda.Architecture.ARM_64)).toBe('@lancedb/lancedb-linux-arm64-gnu');
  });

  it('bundles an installed binary built for the architecture the LanceDB functions declare', () => {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve(`${lanceNativePackage(LANCE_ARCHITECTURE)}/package.json`));
    const binaries = readdirSync(dir).filter((f) => f.endsWith('.node'));
    expect(binaries).toHaveLength(1);
    const header = readFileSync(join(dir, binaries[0] as string)).subarray(0, 20);
    expect(header.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(header.readUInt16LE(18)).toBe(ELF_MACHINE[LANCE_ARCHITECTURE.name as keyof typeof ELF_MACHINE]);
  });
});
