import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { NETWORK_GUARD_CODE } from '../support/network-guard';

describe('outbound network in tests', () => {
  it.each(['api.hubapi.com', 'quickbooks.api.intuit.com'])('When code connects to %s, then it is refused before anything is sent', (host) => {
    expect(() => net.connect({ host, port: 443 })).toThrow(expect.objectContaining({ code: NETWORK_GUARD_CODE }));
    expect(() => net.connect(443, host)).toThrow(/Outbound network is disabled in tests/);
  });

  it('When an HTTP client calls a public host, then the request fails with the guard error', async () => {
    await expect(fetch('https://api.hubapi.com/crm/v3/objects/deals')).rejects.toMatchObject({
      cause: expect.objectContaining({ code: NETWORK_GUARD_CODE }),
    });
  });

  it('When code connects to a loopback server, then it goes through', async () => {
    const server = http.createServer((_req, res) => res.end('local'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/`);
      expect(await res.text()).toBe('local');
      const viaName = await fetch(`http://localhost:${port}/`).catch(() => undefined);
      // localhost may resolve to ::1 where nothing listens; what matters is that the guard let it try.
      if (viaName) expect(await viaName.text()).toBe('local');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
