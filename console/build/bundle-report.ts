import { gzipSync } from 'node:zlib';

/** One entry of Vite's `.vite/manifest.json`. */
export interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}
export type Manifest = Record<string, ManifestChunk>;

/**
 * The JavaScript files a browser must load before a route renders: the entry, the route's own
 * chunk and everything both import statically (dynamic imports load later, on demand).
 */
export function initialFiles(manifest: Manifest, entryKey: string, routeKey?: string): string[] {
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk) throw new Error(`the manifest has no chunk ${key}`);
    if (files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  visit(entryKey);
  if (routeKey) visit(routeKey);
  return [...files].filter((f) => f.endsWith('.js')).sort();
}

export interface RouteBudget {
  route: string;
  /** Manifest key of the route's page module, e.g. `src/pages/sign-in.tsx`. */
  page: string;
}

export interface RouteSize {
  route: string;
  files: string[];
  gzipBytes: number;
}

export function gzipSize(content: Buffer | string): number {
  return gzipSync(content, { level: 9 }).length;
}

export function routeSizes(
  manifest: Manifest,
  routes: readonly RouteBudget[],
  readFile: (file: string) => Buffer,
): RouteSize[] {
  const entry = Object.entries(manifest).find(([, chunk]) => chunk.isEntry)?.[0];
  if (!entry) throw new Error('the manifest has no entry chunk');
  return routes.map(({ route, page }) => {
    const files = initialFiles(manifest, entry, page);
    return { route, files, gzipBytes: files.reduce((sum, f) => sum + gzipSize(readFile(f)), 0) };
  });
}

export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
