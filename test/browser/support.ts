import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SandboxProcess } from '../support/sandbox-process';

/**
 * The browser suite's world: `npm start` as a new user runs it (nothing configured: sandbox mode, embedded
 * database, a data directory of its own) and headless Chromium opening the workbench URL it prints.
 */

/** CHROMIUM_PATH, else Chromium where Debian's (or Ubuntu's) package puts it, else the first `chromium` on PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? findChromium();

function findChromium(): string {
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(candidate)) return candidate;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'chromium');
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error('No Chromium found: install Debian\'s chromium package (apt-get install chromium) or set CHROMIUM_PATH');
}

/**
 * Where the suite saves its pictures of the card's states: WORKBENCH_SCREENSHOTS, or a folder under the system's
 * temporary one. `npm run docs:screenshots` points it at docs/screenshots, the pictures the README shows.
 */
export const SCREENSHOTS = path.resolve(process.env.WORKBENCH_SCREENSHOTS ?? path.join(tmpdir(), 'dealbooks-workbench-screenshots'));

export interface Workbench {
  url: string;
  page: Page;
  product: SandboxProcess;
  /** Messages the page logged at error level, and uncaught errors (a test asserts there are none). */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openWorkbench(): Promise<Workbench> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'dealbooks-browser-'));
  const product = new SandboxProcess({ DATA_DIR: dataDir });
  let browser: Browser | undefined;
  try {
    await product.started();
    const line = product.line(/^Workbench: +(\S+)/);
    if (!line) throw new Error(`npm start printed no workbench address:\n${product.text()}`);
    const url = /^Workbench: +(\S+)/.exec(line.msg)![1]!;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // As root in a container Chromium needs --no-sandbox; the network flags keep it from calling Google's hosts,
      // which this machine's closed network refuses.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await mkdir(SCREENSHOTS, { recursive: true });
    const opened = browser;
    return {
      url,
      page,
      product,
      pageErrors,
      async close() {
        await opened.close().catch(() => undefined);
        await product.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await browser?.close().catch(() => undefined);
    product.kill();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}
