import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Manifest, kb, gzipSize, routeSizes } from './bundle-report.ts';

/** Initial JS budget of the pages people open first (gzipped), checked on every build. */
export const INITIAL_JS_BUDGET_BYTES = 250 * 1024;
export const BUDGET_ROUTES = [
  { route: '/sign-in', page: 'src/pages/sign-in.tsx' },
  { route: '/ (dashboard)', page: 'src/pages/dashboard.tsx' },
] as const;

const STAMP = '.build-stamp';

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** A hash of everything the bundle is made of: sources, config, and the locked dependency versions. */
export function sourceHash(consoleDir: string, lockfile: string): string {
  const hash = createHash('sha256');
  const files = [
    ...listFiles(join(consoleDir, 'src')),
    ...listFiles(join(consoleDir, 'public')),
    join(consoleDir, 'index.html'),
    join(consoleDir, 'vite.config.ts'),
    lockfile,
  ].sort();
  for (const file of files) {
    hash.update(relative(consoleDir, file));
    hash.update(readFileSync(file));
  }
  return hash.digest('hex');
}

export interface ConsoleBuildResult {
  distDir: string;
  built: boolean;
}

/**
 * Builds the console into `console/dist` unless the stamp there says the sources did not change;
 * prints every chunk's gzipped size and the initial JS of the budgeted routes, and fails when a
 * route is over budget.
 */
export async function buildConsole(
  rootDir: string,
  options: { force?: boolean; log?: (line: string) => void } = {},
): Promise<ConsoleBuildResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const consoleDir = join(rootDir, 'console');
  const distDir = join(consoleDir, 'dist');
  const hash = sourceHash(consoleDir, join(rootDir, 'package-lock.json'));
  const stampPath = join(distDir, STAMP);
  if (!options.force && existsSync(stampPath) && readFileSync(stampPath, 'utf8') === hash) {
    return { distDir, built: false };
  }
  log('[console] building…');
  const { build } = await import('vite');
  // Vite and the React plugin take "production" from NODE_ENV, which a test run sets to "test".
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: join(consoleDir, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      build: { manifest: true },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  const manifest = JSON.parse(readFileSync(join(distDir, '.vite', 'manifest.json'), 'utf8')) as Manifest;
  const read = (file: string) => readFileSync(join(distDir, file));
  for (const chunk of Object.values(manifest).sort((a, b) => a.file.localeCompare(b.file))) {
    log(`[console]   ${chunk.file.padEnd(48)} ${kb(gzipSize(read(chunk.file))).padStart(10)} gzip`);
  }
  const sizes = routeSizes(manifest, BUDGET_ROUTES, read);
  const over = sizes.filter((s) => s.gzipBytes > INITIAL_JS_BUDGET_BYTES);
  for (const size of sizes) {
    log(
      `[console] initial JS ${size.route.padEnd(16)} ${kb(size.gzipBytes)} gzip (budget ${kb(INITIAL_JS_BUDGET_BYTES)})`,
    );
  }
  if (over.length > 0) {
    throw new Error(
      `console initial JS over budget: ${over.map((s) => `${s.route} ${kb(s.gzipBytes)}`).join(', ')}`,
    );
  }
  writeFileSync(stampPath, hash);
  return { distDir, built: true };
}
