/**
 * Which way imports may point in server/src (README "How the code is laid out"), checked by `npm run lint:deps`
 * and CI so a wrong import fails fast instead of in review:
 * - routes and job handlers call use-cases, never db/ or an adapter directly;
 * - use-cases call the engine, db/ and the adapters, never the HTTP edge or the job queue;
 * - the engine (sync/) imports nothing that does I/O, not even a type from db/;
 * - db/ imports none of its callers;
 * - the two adapters know neither each other nor http/, nor any use-case;
 * - only the composition root (service.ts) knows metrics/ and prom-client; the parts it counts take callbacks.
 */
const USE_CASES = '^server/src/(quote-to-cash|connections|webhooks|privacy)/';
const ADAPTERS = '^server/src/(hubspot|quickbooks)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle means two modules cannot be understood (or tested) apart.',
      from: { path: '^server/src/' },
      to: { circular: true },
    },
    {
      name: 'routes-call-use-cases',
      severity: 'error',
      comment: 'A route parses, calls one use-case and answers; SQL and upstream calls belong to the use-case.',
      from: { path: '^server/src/http/routes/' },
      to: { path: ['^server/src/db/', ADAPTERS] },
    },
    {
      name: 'job-handlers-call-use-cases',
      severity: 'error',
      comment: 'A job handler parses its payload and calls a use-case. Only the queue itself works on its own tables.',
      from: { path: '^server/src/jobs/', pathNot: '^server/src/jobs/(queue|boss-tables)\\.ts$' },
      to: { path: ['^server/src/db/', ADAPTERS] },
    },
    {
      name: 'use-cases-know-no-edge',
      severity: 'error',
      comment: 'Use-cases return data; the HTTP edge renders it and the job queue schedules it.',
      from: { path: USE_CASES },
      to: { path: '^server/src/(http|jobs)/' },
    },
    {
      name: 'engine-is-pure',
      severity: 'error',
      comment: 'The engine decides from plain objects; it declares the shapes it needs instead of importing them.',
      from: { path: '^server/src/sync/' },
      to: { pathNot: ['^server/src/sync/', '^node_modules/zod/'] },
    },
    {
      name: 'db-knows-no-callers',
      severity: 'error',
      comment: 'Data access serves everyone and depends on none of them (the engine\'s plain types excepted).',
      from: { path: '^server/src/db/' },
      to: { path: ['^server/src/(http|jobs|sandbox|cli)/', USE_CASES, ADAPTERS] },
    },
    {
      name: 'adapters-stand-alone',
      severity: 'error',
      comment: 'An adapter returns data: it knows neither the other adapter, nor the HTTP edge, nor a use-case.',
      from: { path: '^server/src/hubspot/' },
      to: { path: ['^server/src/quickbooks/', '^server/src/(http|jobs)/', USE_CASES] },
    },
    {
      name: 'adapters-stand-alone',
      severity: 'error',
      comment: 'An adapter returns data: it knows neither the other adapter, nor the HTTP edge, nor a use-case.',
      from: { path: '^server/src/quickbooks/' },
      to: { path: ['^server/src/hubspot/', '^server/src/(http|jobs)/', USE_CASES] },
    },
    {
      name: 'metrics-only-at-the-root',
      severity: 'error',
      comment:
        'Counting is wired in service.ts: routes, jobs, adapters and db/ take small callbacks (onCall, onSettled, onRefresh, onIntake) and never import metrics/ or prom-client, so each service keeps its own registry and nothing reaches for a global one.',
      from: { path: '^server/src/', pathNot: ['^server/src/service\\.ts$', '^server/src/metrics/'] },
      to: { path: ['^server/src/metrics/', '^node_modules/prom-client/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    includeOnly: ['^server/src/', '^node_modules/'],
  },
};
