import fs from 'node:fs';
import path from 'node:path';
import { renderToStaticMarkup } from 'react-dom/server';
import * as ui from '@hubspot/ui-extensions';
import { __hubSpotComponentRegistry } from '../../node_modules/@hubspot/ui-extensions/dist/shared.synced/remoteComponents.synced.js';
import { hostComponents } from '../../workbench/src/page/components';
import { hostController } from '../../workbench/src/page/extension-host';

/**
 * The workbench draws each @remote-ui component of HubSpot's UI extensions with an HTML implementation; one it has
 * none for is shown as a placeholder naming it, never dropped. These tests hold that, and that every component
 * DealBooks' own extensions use has a real implementation (so a new component in the card fails here, not on a
 * screenshot).
 */

const EXTENSIONS = path.resolve(__dirname, '../../extensions/src');

/** Every name the extensions import from '@hubspot/ui-extensions' (tests excluded). */
function importedNames(): string[] {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '__tests__') walk(full);
      } else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
        const text = fs.readFileSync(full, 'utf8');
        for (const match of text.matchAll(/import\s*\{([^}]+)\}\s*from\s*'@hubspot\/ui-extensions'/g)) {
          for (const part of match[1]!.split(',')) {
            const name = part.replace(/^\s*type\s+/, '').trim();
            if (name) names.add(name);
          }
        }
      }
    }
  };
  walk(EXTENSIONS);
  return [...names];
}

describe('the workbench host components', () => {
  it('When the extensions use a HubSpot component, then the workbench draws it with an HTML implementation, not a placeholder', () => {
    const used = importedNames()
      .map((name) => (ui as Record<string, unknown>)[name])
      .map((component) => (component ? __hubSpotComponentRegistry.getComponentName(component as never) : null))
      .filter((name): name is string => typeof name === 'string');
    // The card and the settings page use some thirty components; reading none would make the check below empty.
    expect(used.length).toBeGreaterThan(20);
    const missing = used.filter((name) => !(name in hostComponents));
    expect(missing).toEqual([]);
    const controller = hostController();
    for (const name of used) expect(controller.get(name)).toBe(hostComponents[name]);
  });

  it('When a component has no implementation, then it is drawn as a visible placeholder that names it, with its children', () => {
    expect(hostComponents).not.toHaveProperty('CrmReport');
    const Placeholder = hostController().get('CrmReport');
    const html = renderToStaticMarkup(<Placeholder>inside words</Placeholder>);
    expect(html).toContain('CrmReport');
    expect(html).toContain('inside words');
    // The same placeholder each time for a name: React keeps its children's state across renders.
    const controller = hostController();
    expect(controller.get('CrmReport')).toBe(controller.get('CrmReport'));
  });
});
