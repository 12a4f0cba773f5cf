import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimClock } from './clock';
import { WebhookDispatcher } from './webhooks';

/** A receiver on 127.0.0.1:0 whose answer each test decides per request. */
async function receiver(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits += 1;
    req.resume();
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const webhook = (url: string) => ({ url, render: () => ({ body: '[]', headers: { 'content-type': 'application/json' } }) });

describe('WebhookDispatcher', () => {
  it('When the dispatcher is reset while an attempt is on the wire and that attempt fails, then no retry comes back', async () => {
    const clock = new SimClock({ freeze: true });
    let release: (() => void) | undefined;
    let arrivedNow: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => (arrivedNow = resolve));
    const target = await receiver((_req, res) => {
      release = () => res.writeHead(500).end();
      arrivedNow();
    });
    const dispatcher = new WebhookDispatcher({ clock, retryDelaysMs: [10_000], timeoutMs: 5_000 });
    try {
      dispatcher.send(webhook(target.url));
      await arrived;
      dispatcher.reset();
      release?.();
      await dispatcher.settle();
      await clock.advance(60_000);
      await dispatcher.settle();
      expect(target.hits()).toBe(1);
      expect(clock.pending).toBe(0);
      expect(dispatcher.list()).toEqual([]);
    } finally {
      await target.close();
    }
  });

  it('When many messages finish, then only the configured number of messages and attempts is kept', async () => {
    const clock = new SimClock({ freeze: true });
    const target = await receiver((_req, res) => res.writeHead(200).end());
    const dispatcher = new WebhookDispatcher({ clock, retryDelaysMs: [], timeoutMs: 5_000, keepMessages: 3, keepAttempts: 4 });
    try {
      for (let i = 0; i < 6; i++) dispatcher.send(webhook(target.url));
      await dispatcher.settle();
      dispatcher.setMode({ drop: 2 });
      dispatcher.send(webhook(target.url));
      dispatcher.send(webhook(target.url));
      expect(target.hits()).toBe(6);
      expect(dispatcher.list().map((m) => [m.id, m.state])).toEqual([
        [6, 'delivered'],
        [7, 'dropped'],
        [8, 'dropped'],
      ]);
      expect(dispatcher.attempts().map((a) => a.messageId)).toEqual([3, 4, 5, 6]);
    } finally {
      await target.close();
    }
  });

  it('When a lane allows one request at a time, then first attempts and retries of that lane never overlap, and other lanes go on', async () => {
    const clock = new SimClock({ freeze: true });
    let onWire = 0;
    let most = 0;
    let calls = 0;
    // Narrow phase: each answer is held 20 ms, long enough for an overlap to show. Wide phase: answers are held until
    // three requests are on the wire at once (a barrier, so a slow machine cannot make the test flaky); if the lane
    // never lets three through, a 2 s deadline releases them and `most` stays below 3.
    let barrier = 0;
    const held: Array<() => void> = [];
    const target = await receiver((_req, res) => {
      onWire += 1;
      most = Math.max(most, onWire);
      calls += 1;
      const status = calls === 1 ? 500 : 200; // the very first request fails once
      const answer = () => {
        onWire -= 1;
        res.writeHead(status).end();
      };
      if (barrier === 0) {
        setTimeout(answer, 20);
        return;
      }
      held.push(answer);
      const releaseAll = () => held.splice(0).forEach((release) => release());
      if (onWire >= barrier) releaseAll();
      else setTimeout(releaseAll, 2_000);
    });
    const dispatcher = new WebhookDispatcher({ clock, retryDelaysMs: [1_000], timeoutMs: 5_000, laneLimit: (lane) => (lane === 'narrow' ? 1 : 10) });
    try {
      for (let i = 0; i < 3; i++) dispatcher.send({ ...webhook(target.url), lane: 'narrow' });
      await dispatcher.settle();
      await clock.advance(1_000); // the failed first message's retry
      await dispatcher.settle();
      expect(most).toBe(1);
      expect(dispatcher.list().map((m) => m.state)).toEqual(['delivered', 'delivered', 'delivered']);
      expect(target.hits()).toBe(4);

      most = 0;
      barrier = 3;
      for (let i = 0; i < 3; i++) dispatcher.send({ ...webhook(target.url), lane: 'wide' });
      await dispatcher.settle();
      expect(most).toBe(3);
    } finally {
      await target.close();
    }
  });
});
