/**
 * The platform logs JSON lines to stdout. In tests, those lines go through the console instead,
 * so the runner keeps them with the test that caused them and shows them only when it fails
 * (`silent: 'passed-only'`): error-path tests log errors on purpose and must not fill the output.
 */
const write = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean;
process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
  if (typeof chunk === 'string' && chunk.startsWith('{"level":')) {
    console.log(chunk.trimEnd());
    return true;
  }
  return write(chunk, ...rest);
}) as typeof process.stdout.write;
