/**
 * Checks the synthesized LanceDB Lambda assets (run `npm run synth` first):
 *   node scripts/launch.mjs --disable-warning=ExperimentalWarning scripts/verify-lance-bundle.ts
 * For every function in cdk.out whose asset carries `node_modules/@lancedb`: the declared
 * architecture matches the native package and the binary's ELF machine; the bundled handler
 * imports in a plain `node` process outside the repository (so only the asset's node_modules can
 * resolve) and maps the asset's binary; and a probe bundled with the same esbuild settings, run
 * from a copy of the asset, writes a table and answers a hybrid LanceDB query.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(rootDir, 'cdk.out');
const ELF_MACHINE: Record<number, string> = { 62: 'x86_64', 183: 'arm64' };
const NATIVE_ARCH: Record<string, string> = { x86_64: 'x64', arm64: 'arm64' };

type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, string> };
const functions: { id: string; description: string; architecture: string; asset: string }[] = [];
for (const file of readdirSync(out).filter((f) => f.endsWith('.template.json'))) {
  const template = JSON.parse(readFileSync(join(out, file), 'utf8')) as {
    Resources: Record<string, Resource>;
  };
  for (const [id, r] of Object.entries(template.Resources)) {
    const assetPath = r.Metadata?.['aws:asset:path'];
    if (r.Type !== 'AWS::Lambda::Function' || !assetPath) continue;
    const asset = join(out, assetPath);
    if (!existsSync(join(asset, 'node_modules/@lancedb'))) continue;
    const architecture = ((r.Properties.Architectures as string[] | undefined) ?? ['x86_64'])[0] as string;
    functions.push({ id, description: String(r.Properties.Description ?? id), architecture, asset });
  }
}
if (functions.length === 0)
  throw new Error('no LanceDB function assets in cdk.out: run `npm run synth` first');

const probeDir = mkdtempSync(join(tmpdir(), 'lance-bundle-'));
let failed = 0;
try {
  for (const fn of functions) {
    const packages = readdirSync(join(fn.asset, 'node_modules/@lancedb'));
    const expected = `lancedb-linux-${NATIVE_ARCH[fn.architecture]}-gnu`;
    const binary = join(
      fn.asset,
      'node_modules/@lancedb',
      expected,
      `lancedb.linux-${NATIVE_ARCH[fn.architecture]}-gnu.node`,
    );
    const machine = existsSync(binary) ? ELF_MACHINE[readFileSync(binary).readUInt16LE(18)] : undefined;
    const loaded = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(join(fn.asset, 'index.mjs'))}); const fs = await import('node:fs');
         const native = fs.readFileSync('/proc/self/maps','utf8').split('\\n').map(l => l.split(/\\s+/).pop()).find(p => p.endsWith('.node') && p.includes('lancedb'));
         console.log(typeof m.handler, native);`,
      ],
      { cwd: tmpdir(), encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
    ).trim();
    // The probe runs from a copy of the asset, bundled the way PlatformFunction bundles handlers.
    const copy = join(probeDir, fn.id);
    cpSync(fn.asset, copy, { recursive: true });
    await build({
      entryPoints: [join(rootDir, 'scripts/lib/lance-probe.ts')],
      outfile: join(copy, 'probe.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      mainFields: ['module', 'main'],
      external: [`@lancedb/${expected}`],
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
      logLevel: 'error',
    });
    const probe = JSON.parse(
      execFileSync(process.execPath, [join(copy, 'probe.mjs')], { cwd: tmpdir(), encoding: 'utf8' }).trim(),
    ) as { native?: string; top?: string; hits: number; node: string; arch: string };
    const ok =
      packages.length === 1 &&
      packages[0] === expected &&
      machine === fn.architecture &&
      loaded.startsWith('function ') &&
      loaded.includes(fn.asset) &&
      probe.hits === 3 &&
      Boolean(probe.native?.startsWith(copy));
    if (!ok) failed += 1;
    console.log(
      `${ok ? 'ok  ' : 'FAIL'} ${fn.description}: Architectures ${fn.architecture}, asset has ${packages.join(', ')} (ELF ${machine ?? 'missing'}); handler import → ${loaded.replace(rootDir, '.')}; probe (node ${probe.node} ${probe.arch}) top hit ${probe.top} via ${probe.native?.replace(probeDir, '<copy>')}`,
    );
  }
} finally {
  rmSync(probeDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
