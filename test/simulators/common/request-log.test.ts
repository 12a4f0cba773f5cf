import express from 'express';
import request from 'supertest';
import { RequestLog } from './request-log';

describe('RequestLog', () => {
  function appWithLog() {
    const log = new RequestLog(() => new Date('2026-01-01T00:00:00Z'));
    const app = express();
    app.use(express.urlencoded({ extended: false }), express.json(), log.middleware());
    app.post('/oauth/token', (_req, res) => {
      res.locals.account = 62515;
      res.json({ ok: true });
    });
    app.get('/_sim/requests', (_req, res) => res.json(log.list()));
    return { app, log };
  }

  it('When an OAuth call is logged, then credentials in headers and form bodies are redacted and the account recorded', async () => {
    const { app, log } = appWithLog();
    await request(app)
      .post('/oauth/token?x=1')
      .set('Authorization', 'Basic c2VjcmV0OnNlY3JldA==')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: 'rt-123', client_secret: 'shh', client_id: 'public' })
      .expect(200);
    const [entry] = log.list();
    expect(entry).toMatchObject({
      method: 'POST',
      path: '/oauth/token',
      query: { x: '1' },
      status: 200,
      account: '62515',
      headers: { authorization: 'Basic [redacted]' },
      body: { grant_type: 'refresh_token', refresh_token: '[redacted]', client_secret: '[redacted]', client_id: 'public' },
    });
    expect(JSON.stringify(log.list())).not.toMatch(/rt-123|shh|c2VjcmV0/);
  });

  it('When control calls are made, then they are not logged, and filters select by method, path and account', async () => {
    const { app, log } = appWithLog();
    await request(app).get('/_sim/requests').expect(200);
    await request(app).post('/oauth/token').send({}).expect(200);
    expect(log.list()).toHaveLength(1);
    expect(log.list({ method: 'get' })).toHaveLength(0);
    expect(log.list({ path: '/oauth', account: '62515' })).toHaveLength(1);
    log.clear();
    expect(log.list()).toEqual([]);
  });
});
