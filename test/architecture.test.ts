import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rootDir } from './platform.ts';

const AREAS = ['shared', 'functions', 'media-service', 'infra'] as const;
type Area = (typeof AREAS)[number];

/** Who may import whom: everything points inward to shared; functions and media-service never meet. */
const ALLOWED: Record<Area, readonly Area[]> = {
  shared: ['shared'],
  functions: ['functions', 'shared'],
  'media-service': ['media-service', 'shared'],
  infra: ['infra', 'shared'],
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'cdk.out' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

/** The area an import resolves into, or undefined for packages. */
function importedArea(fromFile: string, specifier: string): Area | undefined {
  if (specifier.startsWith('#shared/')) return 'shared';
  if (!specifier.startsWith('.')) return undefined;
  const target = relative(rootDir, join(fromFile, '..', specifier));
  return AREAS.find((area) => target === area || target.startsWith(`${area}/`));
}

/** Production files: everything but tests and the test helpers named after them (`*test-*`, `*-test-*`). */
const isProduction = (file: string) => !/(\.test\.ts$|(^|[/-])test-[\w-]*\.ts$)/.test(file);
/** Production code that must never load a protocol fake (only `npm start`'s infra/local may). */
const FAKE_FREE = ['shared', 'functions', 'media-service', 'infra/bin', 'infra/lib'];

const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

describe('dependency direction', () => {
  it('resolves areas the way the rule needs', () => {
    expect(importedArea(join(rootDir, 'functions/api/x.ts'), '../../media-service/src/a.ts')).toBe(
      'media-service',
    );
    expect(importedArea(join(rootDir, 'functions/api/x.ts'), '#shared/errors/app-error.ts')).toBe('shared');
    expect(importedArea(join(rootDir, 'functions/api/x.ts'), 'zod')).toBeUndefined();
  });

  for (const area of AREAS) {
    it(`${area} imports only ${ALLOWED[area].join(', ')}`, () => {
      const violations: string[] = [];
      for (const file of sourceFiles(join(rootDir, area))) {
        const text = readFileSync(file, 'utf8');
        for (const match of text.matchAll(IMPORT)) {
          const specifier = (match[1] ?? match[2]) as string;
          const target = importedArea(file, specifier);
          if (target && !ALLOWED[area].includes(target))
            violations.push(`${relative(rootDir, file)} → ${specifier}`);
        }
      }
      expect(violations).toEqual([]);
    });
  }
});

/** Production files of the areas: everything but tests. */
const isTest = (file: string) => /\.test\.[cm]?[jt]s$/.test(file);

/** Where an import points to a test helper: the repository's test/ tree or another test file. */
function importsTestCode(fromFile: string, specifier: string): boolean {
  if (!specifier.startsWith('.')) return specifier === 'vitest' || specifier.startsWith('vitest/');
  const target = relative(rootDir, join(fromFile, '..', specifier));
  return target === 'test' || target.startsWith('test/') || isTest(target);
}

describe('test helpers live with the tests', () => {
  it('recognises test code the way the rule needs', () => {
    const from = join(rootDir, 'media-service/src/session/call-session.ts');
    expect(importsTestCode(from, '../../../test/fakes/realtime-server.ts')).toBe(true);
    expect(importsTestCode(from, './call-state.test.ts')).toBe(true);
    expect(importsTestCode(from, 'vitest')).toBe(true);
    expect(importsTestCode(from, './call-state.ts')).toBe(false);
    expect(importsTestCode(from, '#shared/calls/call-types.ts')).toBe(false);
  });

  for (const area of AREAS) {
    it(`production files of ${area} import no test helper, test file or test runner`, () => {
      const violations: string[] = [];
      for (const file of sourceFiles(join(rootDir, area))) {
        if (isTest(file)) continue;
        for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
          const specifier = (match[1] ?? match[2]) as string;
          if (importsTestCode(file, specifier)) violations.push(`${relative(rootDir, file)} → ${specifier}`);
        }
      }
      expect(violations).toEqual([]);
    });
  }
});

describe('protocol fakes', () => {
  it('are imported by tests, scripts and infra/local only, never by production code', () => {
    const violations: string[] = [];
    for (const dir of FAKE_FREE) {
      for (const file of sourceFiles(join(rootDir, dir)).filter(isProduction)) {
        for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
          const specifier = (match[1] ?? match[2]) as string;
          if (!specifier.startsWith('.')) continue;
          const target = relative(rootDir, join(file, '..', specifier));
          if (target.startsWith('fakes/') || target.startsWith('test/'))
            violations.push(`${relative(rootDir, file)} → ${specifier}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('tell production files from test files', () => {
    expect(isProduction('media-service/src/twilio/twilio-transport.ts')).toBe(true);
    expect(isProduction('media-service/src/twilio/twilio-call.test.ts')).toBe(false);
    expect(isProduction('./media-service/twilio-test-harness.ts')).toBe(false);
    expect(isProduction('shared/calls/latest-call.ts')).toBe(true);
  });
});

describe('console', () => {
  it('takes only API types from shared (nothing of shared is bundled into the browser app)', () => {
    const violations: string[] = [];
    const anyImport =
      /(?:import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
    for (const file of sourceFiles(join(rootDir, 'console', 'src')).concat(
      sourceFilesTsx(join(rootDir, 'console', 'src')),
    )) {
      for (const match of readFileSync(file, 'utf8').matchAll(anyImport)) {
        const specifier = (match[2] ?? match[3]) as string;
        const target = relative(rootDir, join(file, '..', specifier));
        const area = AREAS.find((a) => target === a || target.startsWith(`${a}/`));
        if (!specifier.startsWith('.') || !area) continue;
        if (area !== 'shared' || !match[1]) violations.push(`${relative(rootDir, file)} → ${specifier}`);
      }
    }
    expect(violations).toEqual([]);
  });
});

function sourceFilesTsx(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFilesTsx(path));
    else if (name.endsWith('.tsx')) out.push(path);
  }
  return out;
}
