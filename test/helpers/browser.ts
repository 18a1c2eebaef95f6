/**
 * Headless Chromium for the tests that need a real browser, driven with
 * playwright-core (no browser download: Debian's chromium package). A missing
 * browser fails the test with the fix, never skips it.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.DGAN_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: this test opens pages in a real browser. Install it with \`apt-get update && apt-get install -y chromium\` (Debian), or point DGAN_CHROMIUM at a Chromium binary`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}
