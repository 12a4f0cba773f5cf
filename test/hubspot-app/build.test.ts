import fs from 'node:fs';
import path from 'node:path';
import { HUBSPOT_REQUIRED_SCOPES } from '../../server/src/hubspot/scopes';
import { assembleExtensions, hubspotCli, listFiles, readJson, removeTempDirs, tempDir } from './project-cli';

describe('npm run hubspot:build', () => {
  let extensions: string;
  beforeAll(() => {
    extensions = assembleExtensions();
  });
  afterAll(removeTempDirs);

  it('When built for an HTTPS base URL, then the project is self-contained, every HubSpot-facing address is on that URL and the check passes', () => {
    const out = path.join(tempDir('build'), 'hubspot-app');
    const build = hubspotCli('build', ['--base-url', 'https://dealbooks.example.com/', '--out', out, '--extensions', extensions]);
    expect(build).toMatchObject({ code: 0, err: '' });
    expect(build.out).toContain('Built the HubSpot app project for https://dealbooks.example.com');
    expect(build.out).toContain(`Check it with \`npm run hubspot:check -- --dir ${out}\`, then upload it with \`hs project upload\` from that folder.`);

    const files = listFiles(out);
    // hubspot-app/ as it is, each extension in its own feature folder with the shared code inside it, no tests.
    expect(files).toEqual(expect.arrayContaining([
      'hsproject.json',
      'src/app/app-hsmeta.json',
      'src/app/webhooks/webhooks-hsmeta.json',
      'src/app/cards/deal-card-hsmeta.json',
      'src/app/cards/package.json',
      'src/app/cards/DealCard.tsx',
      'src/app/cards/shared/api.ts',
      'src/app/cards/shared/config.ts',
      'src/app/settings/settings-hsmeta.json',
      'src/app/settings/package.json',
      'src/app/settings/SettingsPage.tsx',
      'src/app/settings/shared/api.ts',
      'src/app/settings/shared/config.ts',
    ]));
    expect(files.filter((f) => /\.test\.|__tests__/.test(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith('src/') && !/^src\/app\/(app-hsmeta\.json|(cards|settings|webhooks)\/)/.test(f))).toEqual([]);

    // The card's `../shared/...` imports now reach the copy beside it; nothing points outside its folder.
    const card = fs.readFileSync(path.join(out, 'src/app/cards/DealCard.tsx'), 'utf8');
    expect(card).toMatch(/from '\.\/shared\//);
    expect(card).not.toMatch(/from '\.\.\//);
    for (const feature of ['cards', 'settings']) {
      expect(fs.readFileSync(path.join(out, `src/app/${feature}/shared/config.ts`), 'utf8')).toContain('export const DEALBOOKS_BASE_URL = "https://dealbooks.example.com";');
    }

    const app = readJson(path.join(out, 'src/app/app-hsmeta.json'));
    expect(app.config.auth.redirectUrls).toEqual(['https://dealbooks.example.com/oauth/hubspot/callback']);
    expect(app.config.permittedUrls.fetch).toEqual(['https://dealbooks.example.com']);
    expect(app.config.auth.requiredScopes).toEqual([...HUBSPOT_REQUIRED_SCOPES]);
    expect(readJson(path.join(out, 'src/app/webhooks/webhooks-hsmeta.json')).config.settings.targetUrl).toBe('https://dealbooks.example.com/webhooks/hubspot');

    expect(hubspotCli('check', ['--dir', out])).toMatchObject({ code: 0, out: expect.stringContaining('is a valid DealBooks app project') });
    // The sources stay as they were: the sandbox's address, the imports of the repository layout.
    expect(fs.readFileSync(path.join(extensions, 'shared/config.ts'), 'utf8')).toContain("'http://localhost:3000'");
  });

  it('When the base URL is plain http outside the sandbox, then the build refuses it with the reason and writes nothing', () => {
    const out = path.join(tempDir('build'), 'hubspot-app');
    const build = hubspotCli('build', ['--base-url', 'http://dealbooks.example.com', '--out', out, '--extensions', extensions]);
    expect(build.code).toBe(1);
    expect(build.err).toContain('"http://dealbooks.example.com" is not HTTPS. HubSpot sends OAuth redirects, hubspot.fetch calls and webhooks only to HTTPS addresses');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('When the base URL is the local sandbox over http, then the build makes it without an upload hint, and the check accepts it only with --sandbox', () => {
    const out = path.join(tempDir('build'), 'hubspot-app');
    const build = hubspotCli('build', ['--base-url', 'http://127.0.0.1:3000', '--out', out, '--extensions', extensions]);
    expect(build.code).toBe(0);
    expect(build.out).not.toContain('hs project upload');
    expect(build.out).toContain(`This build is for the local sandbox (plain http) and is not for upload. Check it with \`npm run hubspot:check -- --dir ${out} --sandbox\`.`);
    expect(readJson(path.join(out, 'src/app/webhooks/webhooks-hsmeta.json')).config.settings.targetUrl).toBe('http://127.0.0.1:3000/webhooks/hubspot');
    const plain = hubspotCli('check', ['--dir', out]);
    expect(plain.code).toBe(1);
    expect(plain.out).toContain('src/app/cards/shared/config.ts: DEALBOOKS_BASE_URL: "http://127.0.0.1:3000" is the local sandbox\'s plain http address, which HubSpot cannot call (only HTTPS)');
    expect(plain.out).toContain('src/app/webhooks/webhooks-hsmeta.json: config.settings.targetUrl: "http://127.0.0.1:3000/webhooks/hubspot" is the local sandbox\'s plain http address');
    expect(hubspotCli('check', ['--dir', out, '--sandbox']).code).toBe(0);
  });

  it("When an extension's entry file is missing, then the build names the file and the component that needs it", () => {
    const without = tempDir('extensions');
    fs.cpSync(extensions, without, { recursive: true });
    fs.rmSync(path.join(without, 'settings', 'SettingsPage.tsx'));
    const out = path.join(tempDir('build'), 'hubspot-app');
    const build = hubspotCli('build', ['--base-url', 'https://dealbooks.example.com', '--out', out, '--extensions', without]);
    expect(build.code).toBe(1);
    expect(build.err).toMatch(/settings\/SettingsPage\.tsx: missing; hubspot-app\/src\/app\/settings\/settings-hsmeta\.json names it as its entrypoint/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('When an extension imports a file outside its folder and the shared code, then the build refuses to leave it dangling', () => {
    const reaching = tempDir('extensions');
    fs.cpSync(extensions, reaching, { recursive: true });
    fs.writeFileSync(path.join(reaching, 'cards', 'Reach.ts'), "export { HUBSPOT_REQUIRED_SCOPES } from '../../../server/src/hubspot/scopes';\n");
    const build = hubspotCli('build', ['--base-url', 'https://dealbooks.example.com', '--out', path.join(tempDir('build'), 'out'), '--extensions', reaching]);
    expect(build.code).toBe(1);
    expect(build.err).toContain('cards/Reach.ts:1: imports "../../../server/src/hubspot/scopes", outside cards/ and shared/');
  });

  it('When --out names a folder that holds something other than an earlier build, then the build refuses to replace it', () => {
    const precious = tempDir('precious');
    fs.writeFileSync(path.join(precious, 'notes.txt'), 'keep me');
    const build = hubspotCli('build', ['--base-url', 'https://dealbooks.example.com', '--out', precious, '--extensions', extensions]);
    expect(build.code).toBe(1);
    expect(build.err).toContain('holds no earlier build');
    expect(fs.readFileSync(path.join(precious, 'notes.txt'), 'utf8')).toBe('keep me');
  });
});
