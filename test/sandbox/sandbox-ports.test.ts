import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SandboxStartError, startSandbox } from '../../server/src/sandbox/sandbox';
import { silentLogger, testConfig } from '../support/harness';

describe('sandbox ports', () => {
  it('When a simulator port is taken, then start-up fails with the setting that moves it', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    try {
      const config = testConfig({ SANDBOX_QUICKBOOKS_PORT: '0', SANDBOX_HUBSPOT_PORT: String(taken) });
      const attempt = startSandbox(config, silentLogger);
      await expect(attempt).rejects.toBeInstanceOf(SandboxStartError);
      await expect(attempt).rejects.toThrow(`port ${taken}, which is in use: stop what uses it, or set SANDBOX_HUBSPOT_PORT`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
