import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildConsole } from '../console/build/build-console.ts';

// `npm run build:console`: always rebuilds (npm start rebuilds only when the sources changed).
const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
buildConsole(rootDir, { force: true }).catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
