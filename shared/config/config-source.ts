/** Raw settings by name, as in `process.env`. */
export type ConfigValues = Record<string, string | undefined>;

let provided: ConfigValues | undefined;

/**
 * The raw settings this process runs with: `process.env`, unless the process's launcher provided
 * its own (the local control plane runs the deployed handlers in its own process and hands them the
 * platform's settings here instead of writing them into `process.env`). Everything that builds a
 * dependency from settings by default (`env()`, the `*FromEnv` builders, the secret store's
 * fallbacks, `createLogger`) reads this, so one process has one source of configuration.
 *
 * Dependency-free on purpose: the logger reads it, and everything imports the logger.
 */
export function configSource(): ConfigValues {
  return provided ?? process.env;
}

/**
 * Replaces the settings `configSource()` returns (a copy is kept, so later changes to `values` do
 * not leak in). Caches built from the old settings are the caller's to reset; the local control
 * plane does that in one place.
 */
export function provideConfigSource(values: ConfigValues): void {
  provided = { ...values };
}

/** Back to `process.env` (tests that provided their own settings). */
export function clearConfigSource(): void {
  provided = undefined;
}
