import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium; a test tool's own browser download cannot work on an offline machine. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export class ChromiumMissingError extends Error {
  constructor(path: string) {
    super(
      `Chromium was not found at ${path}. The browser tests need it: install it with ` +
        '`sudo apt-get install -y chromium` (or run `node scripts/setup.mjs --browser`), ' +
        'or set CHROMIUM_PATH to another Chromium binary.',
    );
    this.name = 'ChromiumMissingError';
  }
}

/** Flags that keep Chromium off the network and quiet (see docs: local platform, browsers). */
const OFFLINE_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchedChromium {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Headless Chromium (Playwright gives it a fresh temporary profile) whose microphone is `wavPath` (looped), with the permission prompt granted, so
 * `getUserMedia` works without a person and the page hears the same clip every run.
 */
export async function launchChromium(options: {
  /** The fake microphone's clip; pages that never ask for the microphone need none. */
  wavPath?: string;
  /** `deny` answers every permission prompt with "block", as a caller who refuses would. */
  microphone?: 'allow' | 'deny';
}): Promise<LaunchedChromium> {
  if (!existsSync(CHROMIUM_PATH)) throw new ChromiumMissingError(CHROMIUM_PATH);
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      ...OFFLINE_FLAGS,
      options.microphone === 'deny' ? '--deny-permission-prompts' : '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      ...(options.wavPath ? [`--use-file-for-fake-audio-capture=${options.wavPath}`] : []),
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}
