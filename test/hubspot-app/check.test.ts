import fs from 'node:fs';
import path from 'node:path';
import { assembleExtensions, hubspotCli, readJson, removeTempDirs, tempDir, writeJson } from './project-cli';

/**
 * `npm run hubspot:check` on a good build passes; each test below breaks one thing in a copy of that build and
 * expects the check to fail naming the file, the field and the problem.
 */
describe('npm run hubspot:check', () => {
  let good: string;
  beforeAll(() => {
    good = path.join(tempDir('built'), 'hubspot-app');
    const build = hubspotCli('build', ['--base-url', 'https://dealbooks.example.com', '--out', good, '--extensions', assembleExtensions()]);
    if (build.code !== 0) throw new Error(`the build failed: ${build.err}`);
  });
  afterAll(removeTempDirs);

  /** A copy of the good build with one change; the check's result on it. */
  function checkBroken(change: (dir: string) => void) {
    const dir = path.join(tempDir('broken'), 'hubspot-app');
    fs.cpSync(good, dir, { recursive: true });
    change(dir);
    return hubspotCli('check', ['--dir', dir]);
  }
  const editJson = (dir: string, file: string, edit: (meta: any) => void) => {
    const full = path.join(dir, file);
    const meta = readJson(full);
    edit(meta);
    writeJson(full, meta);
  };
  const APP = 'src/app/app-hsmeta.json';
  const CARD = 'src/app/cards/deal-card-hsmeta.json';
  const SETTINGS = 'src/app/settings/settings-hsmeta.json';
  const WEBHOOKS = 'src/app/webhooks/webhooks-hsmeta.json';

  it('When the project is built as it is, then the check passes', () => {
    expect(hubspotCli('check', ['--dir', good])).toMatchObject({ code: 0, out: expect.stringContaining('is a valid DealBooks app project') });
  });

  it('When hsproject.json names a platform version listed apps cannot use, then the check names the two accepted', () => {
    const result = checkBroken((dir) => editJson(dir, 'hsproject.json', (project) => (project.platformVersion = '2023.2')));
    expect(result.code).toBe(1);
    expect(result.out).toContain('hsproject.json: platformVersion: expected one of 2026.03, 2025.2 (listed apps must be on one of them)');
  });

  it('When the app asks for other scopes than the install flow, then the check names the missing and the extra ones', () => {
    const result = checkBroken((dir) =>
      editJson(dir, APP, (meta) => {
        meta.config.auth.requiredScopes = meta.config.auth.requiredScopes.filter((s: string) => s !== 'crm.objects.deals.write').concat('tickets');
      }),
    );
    expect(result.code).toBe(1);
    expect(result.out).toContain(`${APP}: config.auth.requiredScopes: must equal the scopes the install flow asks for (server/src/hubspot/scopes.ts HUBSPOT_REQUIRED_SCOPES); missing: crm.objects.deals.write; not asked for: tickets`);
  });

  it('When the addresses are plain http outside the sandbox, then the check refuses each of them', () => {
    const result = checkBroken((dir) => {
      for (const feature of ['cards', 'settings']) {
        const config = path.join(dir, `src/app/${feature}/shared/config.ts`);
        fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('"https://dealbooks.example.com"', "'http://dealbooks.example.com'"));
      }
      editJson(dir, APP, (meta) => {
        meta.config.auth.redirectUrls = ['http://dealbooks.example.com/oauth/hubspot/callback'];
        meta.config.permittedUrls.fetch = ['http://dealbooks.example.com'];
      });
      editJson(dir, WEBHOOKS, (meta) => {
        meta.config.settings.targetUrl = 'http://dealbooks.example.com/webhooks/hubspot';
      });
    });
    expect(result.code).toBe(1);
    const notHttps = 'is not HTTPS. HubSpot sends OAuth redirects, hubspot.fetch calls and webhooks only to HTTPS addresses';
    expect(result.out).toContain(`src/app/cards/shared/config.ts: DEALBOOKS_BASE_URL: "http://dealbooks.example.com" ${notHttps}`);
    expect(result.out).toContain(`${APP}: config.auth.redirectUrls.0: "http://dealbooks.example.com/oauth/hubspot/callback" ${notHttps}`);
    expect(result.out).toContain(`${APP}: config.permittedUrls.fetch.0: "http://dealbooks.example.com" ${notHttps}`);
    expect(result.out).toContain(`${WEBHOOKS}: config.settings.targetUrl: "http://dealbooks.example.com/webhooks/hubspot" ${notHttps}`);
  });

  it("When the card's entry file is missing, then the check names the entrypoint", () => {
    const result = checkBroken((dir) => fs.rmSync(path.join(dir, 'src/app/cards/DealCard.tsx')));
    expect(result.code).toBe(1);
    expect(result.out).toContain(`${CARD}: config.entrypoint: src/app/cards/DealCard.tsx does not exist in the built project`);
  });

  it('When two components share a uid, then the check reports what HubSpot\'s parser says', () => {
    const result = checkBroken((dir) => editJson(dir, SETTINGS, (meta) => (meta.uid = 'dealbooks_deal_card')));
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/src: uid: HubSpot's parser refused the project: Duplicate uid 'dealbooks_deal_card' found in: - app\/(cards\/deal-card|settings\/settings)-hsmeta\.json - app\/(cards\/deal-card|settings\/settings)-hsmeta\.json/);
  });

  it('When a *-hsmeta.json sits nested inside a feature folder, then the check says HubSpot ignores it', () => {
    const result = checkBroken((dir) => {
      fs.mkdirSync(path.join(dir, 'src/app/cards/more'));
      editJson(dir, CARD, () => undefined);
      fs.copyFileSync(path.join(dir, CARD), path.join(dir, 'src/app/cards/more/second-card-hsmeta.json'));
    });
    expect(result.code).toBe(1);
    expect(result.out).toContain('src/app/cards/more/second-card-hsmeta.json: (location): HubSpot ignores this file');
  });

  it('When a second settings component is added, then the check allows exactly one', () => {
    const result = checkBroken((dir) => {
      const second = readJson(path.join(dir, SETTINGS));
      second.uid = 'dealbooks_settings_two';
      writeJson(path.join(dir, 'src/app/settings/more-settings-hsmeta.json'), second);
    });
    expect(result.code).toBe(1);
    expect(result.out).toContain('src/app/settings: (component count): expected exactly one settings component, found 2');
  });

  it('When the card names a location HubSpot does not have, then the check lists the two it has', () => {
    const result = checkBroken((dir) => editJson(dir, CARD, (meta) => (meta.config.location = 'crm.record.middle')));
    expect(result.code).toBe(1);
    expect(result.out).toContain(`${CARD}: config.location: expected one of crm.record.sidebar, crm.record.tab`);
  });

  it('When the card is put on contacts, then the check keeps it on deals, whose ids it reads', () => {
    const result = checkBroken((dir) => editJson(dir, CARD, (meta) => (meta.config.objectTypes = ['contacts'])));
    expect(result.code).toBe(1);
    expect(result.out).toContain(`${CARD}: config.objectTypes: expected ["deals"]: the card reads the record as a deal`);
  });

  it('When a component has a top-level key HubSpot does not allow, then the check names the key', () => {
    const result = checkBroken((dir) => editJson(dir, CARD, (meta) => (meta.name = 'DealBooks')));
    expect(result.code).toBe(1);
    expect(result.out).toContain(`${CARD}: name: unexpected top-level key; only uid, type, config, dependencies, permissions are allowed`);
  });

  it('When a uid is 65 characters, then the check refuses it, and at 64 it accepts it', () => {
    const tooLong = checkBroken((dir) => editJson(dir, CARD, (meta) => (meta.uid = 'd'.repeat(65))));
    expect(tooLong.code).toBe(1);
    expect(tooLong.out).toContain(`${CARD}: uid: 'uid' must be 64 characters or less`);
    expect(checkBroken((dir) => editJson(dir, CARD, (meta) => (meta.uid = 'd'.repeat(64)))).code).toBe(0);
  });

  it('When the webhook target is on another host, then the check expects it on the base URL', () => {
    const result = checkBroken((dir) => editJson(dir, WEBHOOKS, (meta) => (meta.config.settings.targetUrl = 'https://hooks.example.net/webhooks/hubspot')));
    expect(result.code).toBe(1);
    expect(result.out).toContain(`${WEBHOOKS}: config.settings.targetUrl: expected https://dealbooks.example.com/webhooks/hubspot (on the base URL https://dealbooks.example.com), got https://hooks.example.net/webhooks/hubspot`);
  });

  it('When an extension uses window or the global fetch, then the check names the line; the word in a string or hubspot.fetch is not flagged', () => {
    const result = checkBroken((dir) =>
      fs.writeFileSync(
        path.join(dir, 'src/app/cards/Browser.ts'),
        [
          "export const label = 'Open in a new window';",
          'export const here = () => window.location.href;',
          "export const load = () => fetch('https://dealbooks.example.com/api');",
          "export const viaHubSpot = (hubspot: { fetch(url: string): unknown }) => hubspot.fetch('https://dealbooks.example.com/api');",
          '',
        ].join('\n'),
      ),
    );
    expect(result.code).toBe(1);
    const lines = result.out.split('\n').filter((line) => line.includes('src/app/cards/Browser.ts'));
    expect(lines).toEqual([
      expect.stringContaining('src/app/cards/Browser.ts: window (line 2): extensions run in HubSpot\'s sandbox'),
      expect.stringContaining('src/app/cards/Browser.ts: fetch (line 3): extensions run in HubSpot\'s sandbox'),
    ]);
  });

  it('When an extension imports a package HubSpot does not bundle, then the check names the import', () => {
    const result = checkBroken((dir) => fs.writeFileSync(path.join(dir, 'src/app/settings/Extra.ts'), "import axios from 'axios';\nexport default axios;\n"));
    expect(result.code).toBe(1);
    expect(result.out).toContain('src/app/settings/Extra.ts: import (line 1): "axios": extensions may import only @hubspot/ui-extensions, react and their own relative files');
  });

  it("When an extension folder's package.json pins another react, then the check expects the repository's version", () => {
    const result = checkBroken((dir) => editJson(dir, 'src/app/cards/package.json', (pkg) => (pkg.dependencies.react = '^19.0.0')));
    expect(result.code).toBe(1);
    expect(result.out).toContain('src/app/cards/package.json: dependencies.react: expected "18.3.1"');
  });

  it('When a test file is in the built project, then the check refuses to upload test code', () => {
    const result = checkBroken((dir) => fs.writeFileSync(path.join(dir, 'src/app/cards/DealCard.test.tsx'), "it('x', () => undefined);\n"));
    expect(result.code).toBe(1);
    expect(result.out).toContain('src/app/cards/DealCard.test.tsx: (file): test code must not be uploaded');
  });
});
