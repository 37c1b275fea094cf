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

/** Imports that load a module at run time (`import type` is erased; `import { type A }` still loads). */
const LOADING_IMPORT =
  /(?:^|[\n;])\s*(?:import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** What `file` (relative to the root) loads: repository files relative to the root, packages by name. */
function loadedBy(file: string, text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(LOADING_IMPORT)) {
    if (match[1]) continue;
    const specifier = (match[2] ?? match[3]) as string;
    if (specifier.startsWith('#shared/')) out.push(`shared/${specifier.slice('#shared/'.length)}`);
    else if (specifier.startsWith('.')) out.push(relative(rootDir, join(rootDir, file, '..', specifier)));
    else out.push(specifier);
  }
  return out;
}

/** Every module loaded, directly or not, by `files`, with the file that first loaded it. */
function loadedClosure(files: readonly string[]): Map<string, string> {
  const loadedFrom = new Map<string, string>();
  const todo: [string, string][] = files.map((file) => [file, file]);
  for (let next = todo.pop(); next; next = todo.pop()) {
    const [module, from] = next;
    if (loadedFrom.has(module)) continue;
    loadedFrom.set(module, from);
    if (!/\.[cm]?ts$/.test(module)) continue;
    const text = readFileSync(join(rootDir, module), 'utf8');
    for (const target of loadedBy(module, text)) todo.push([target, module]);
  }
  return loadedFrom;
}

/** Production files of `dir` (relative to the root). */
const productionFiles = (dir: string) =>
  sourceFiles(join(rootDir, dir))
    .map((file) => relative(rootDir, file))
    .filter((file) => !isTest(file));

/** `text` without its comments (which may well name `process.env`). */
const withoutComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

/** Storage, queues and settings: what the HTTP contract must not load. */
const STATEFUL = /^(@aws-sdk\/|shared\/(data|queues|config)\/)/;

describe('seams (issue 23)', () => {
  it('tells loading imports from erased ones', () => {
    const text = [
      "import type { A } from './a.ts';",
      "import { type B } from './b.ts';",
      "import { z } from 'zod';",
      "export { c } from '#shared/c/c.ts';",
      "const d = await import('./d.ts');",
    ].join('\n');
    expect(loadedBy('shared/api/x.ts', text)).toEqual([
      'shared/api/b.ts',
      'zod',
      'shared/c/c.ts',
      'shared/api/d.ts',
    ]);
  });

  it('shared/api holds only the HTTP contract: it loads no storage, queue, settings or AWS client', () => {
    const loaded = loadedClosure(productionFiles('shared/api'));
    const violations = [...loaded]
      .filter(([module]) => STATEFUL.test(module))
      .map(([module, from]) => `${from} → ${module}`);
    expect(violations).toEqual([]);
  });

  it('shared/api has no use cases (they live in shared/calls, shared/agents, shared/tenants, …)', () => {
    const violations = productionFiles('shared/api').filter((file) =>
      /^export\s+async\s+function/m.test(readFileSync(join(rootDir, file), 'utf8')),
    );
    expect(violations).toEqual([]);
  });

  it('every process reads its settings from its one config source, never process.env directly', () => {
    /** Not settings: the Lambda runtime's per-invocation trace header, and Powertools' own name. */
    const allowed = [
      'shared/config/config-source.ts',
      'shared/observability/trace-scope.ts',
      'functions/lib/tracer.ts',
    ];
    const violations = ['shared', 'functions', 'media-service/src']
      .flatMap(productionFiles)
      .filter((file) => !allowed.includes(file))
      .filter((file) => /\bprocess\.env\b/.test(withoutComments(readFileSync(join(rootDir, file), 'utf8'))));
    expect(violations).toEqual([]);
  });

  it('the providers are listed once (shared/calls/providers.ts); everything else derives from it', () => {
    const list = /['"](twilio|asterisk|web)['"]\s*[,|]\s*['"](twilio|asterisk|web)['"]/;
    const violations = ['shared', 'functions', 'media-service/src', 'infra']
      .flatMap(productionFiles)
      .filter((file) => file !== 'shared/calls/providers.ts')
      .filter((file) => list.test(readFileSync(join(rootDir, file), 'utf8')));
    expect(violations).toEqual([]);
  });

  it("the control plane's call use cases and handlers never branch on a provider (ProviderControl does)", () => {
    const branch = /\bprovider\s*[!=]==?\s*['"]/;
    const violations = ['shared/calls', 'functions']
      .flatMap(productionFiles)
      .filter((file) => branch.test(readFileSync(join(rootDir, file), 'utf8')));
    expect(violations).toEqual([]);
  });
});
