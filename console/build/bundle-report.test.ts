import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { initialFiles, type Manifest, routeSizes } from './bundle-report.ts';

const manifest: Manifest = {
  'index.html': {
    file: 'assets/index.js',
    isEntry: true,
    imports: ['_vendor'],
    dynamicImports: ['src/pages/a.tsx', 'src/pages/b.tsx'],
  },
  _vendor: { file: 'assets/vendor.js' },
  _charts: { file: 'assets/charts.js', imports: ['_vendor'] },
  'src/pages/a.tsx': {
    file: 'assets/a.js',
    isDynamicEntry: true,
    imports: ['_charts'],
    dynamicImports: ['src/pages/b.tsx'],
  },
  'src/pages/b.tsx': { file: 'assets/b.js', isDynamicEntry: true },
};

describe('initial JS of a route', () => {
  it('is the entry, the route chunk and their static imports, not dynamic ones', () => {
    expect(initialFiles(manifest, 'index.html', 'src/pages/a.tsx')).toEqual([
      'assets/a.js',
      'assets/charts.js',
      'assets/index.js',
      'assets/vendor.js',
    ]);
    expect(initialFiles(manifest, 'index.html', 'src/pages/b.tsx')).toEqual([
      'assets/b.js',
      'assets/index.js',
      'assets/vendor.js',
    ]);
  });
  it('refuses a route the build does not have', () => {
    expect(() => initialFiles(manifest, 'index.html', 'src/pages/zzz.tsx')).toThrow(/no chunk/);
  });
  it('sums gzipped sizes per route', () => {
    const big = randomBytes(20_000);
    const sizes = routeSizes(
      manifest,
      [
        { route: '/a', page: 'src/pages/a.tsx' },
        { route: '/b', page: 'src/pages/b.tsx' },
      ],
      (file) => (file === 'assets/charts.js' ? big : Buffer.from('x')),
    );
    expect(sizes[0]!.gzipBytes).toBeGreaterThan(sizes[1]!.gzipBytes + 5_000);
  });
});
