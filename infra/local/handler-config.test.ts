import { afterEach, describe, expect, it } from 'vitest';
import { clearConfigSource, configSource } from '#shared/config/config-source.ts';
import { env, resetEnvCache } from '#shared/config/env.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { provideHandlerConfig } from './control-plane.ts';

/** A key the launching process has in its environment (a developer's shell, CI). */
const LAUNCHER_KEY = 'AI_CALLER_HANDLER_CONFIG_TEST';

afterEach(() => {
  delete process.env[LAUNCHER_KEY];
  clearConfigSource();
  resetEnvCache();
});

describe('the settings the local platform hands its in-process handlers', () => {
  it("are the launcher's environment under the platform's settings; process.env is never written", () => {
    process.env[LAUNCHER_KEY] = 'from the shell';
    const tableBefore = process.env.TABLE_NAME;
    provideHandlerConfig({ TABLE_NAME: 'handler-config-test', LOG_LEVEL: 'warn' });
    expect(configSource()[LAUNCHER_KEY]).toBe('from the shell');
    expect(configSource().TABLE_NAME).toBe('handler-config-test');
    expect(process.env.TABLE_NAME).toBe(tableBefore);
    // The caches built from the previous settings are dropped: the next use reads the new ones.
    expect(env().LOG_LEVEL).toBe('warn');
    expect(dbFromEnv().tableName).toBe('handler-config-test');
  });

  it("keep a removed key removed even where the launcher's environment has it", () => {
    process.env[LAUNCHER_KEY] = 'from the shell';
    provideHandlerConfig({ TABLE_NAME: 'handler-config-test' }, new Set([LAUNCHER_KEY]));
    expect(configSource()[LAUNCHER_KEY]).toBeUndefined();
    expect(process.env[LAUNCHER_KEY]).toBe('from the shell');
  });

  it('are read again after a change, as after a Lambda cold start', () => {
    provideHandlerConfig({ TABLE_NAME: 'first' });
    expect(dbFromEnv().tableName).toBe('first');
    provideHandlerConfig({ TABLE_NAME: 'second' });
    expect(dbFromEnv().tableName).toBe('second');
  });
});
