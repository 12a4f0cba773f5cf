import { z } from 'zod';

/**
 * The fields of DealBooks' *-hsmeta.json files as HubSpot's app configuration reference documents them
 * (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/app-configuration; HubSpot's project templates, https://github.com/HubSpot/hubspot-project-components, show them in use). HubSpot's own
 * JSON schemas are fetched from HubSpot with a logged-in account (project-parsing-lib `translate` without
 * skipValidation), which cannot run offline, so these are the project's own. Unknown keys inside `config` are
 * allowed: HubSpot's schema knows more optional fields than that page lists.
 */

export const PLATFORM_VERSIONS = ['2026.03', '2025.2'] as const;

export const projectConfigSchema = z.object({
  name: z.string().min(1),
  // Everything uploaded lies under srcDir; the build and this check know it as src/.
  srcDir: z.literal('src'),
  platformVersion: z.enum(PLATFORM_VERSIONS, { message: `expected one of ${PLATFORM_VERSIONS.join(', ')} (listed apps must be on one of them)` }),
});

const strings = z.array(z.string().min(1));

export const CARD_LOCATIONS = ['crm.record.sidebar', 'crm.record.tab'] as const;

const appConfig = z.object({
  name: z.string().min(1),
  description: z.string().min(1),
  distribution: z.literal('marketplace'),
  auth: z.object({
    // Marketplace apps must use OAuth.
    type: z.literal('oauth'),
    redirectUrls: strings.min(1),
    requiredScopes: strings,
    optionalScopes: strings,
    conditionallyRequiredScopes: strings,
  }),
  permittedUrls: z.object({ fetch: strings, iframe: strings, img: strings }),
  support: z.object({}).loose(),
});

const cardConfig = z.object({
  name: z.string().min(1),
  location: z.enum(CARD_LOCATIONS, { message: `expected one of ${CARD_LOCATIONS.join(', ')}` }),
  entrypoint: z.string().min(1),
  // DealBooks' card reads context.crm.objectId as a deal id: it belongs on deals only.
  objectTypes: strings.refine((types) => types.length === 1 && types[0] === 'deals', 'expected ["deals"]: the card reads the record as a deal'),
});

const settingsConfig = z.object({ entrypoint: z.string().min(1) });

const webhooksConfig = z.object({
  settings: z.object({ targetUrl: z.string().min(1), maxConcurrentRequests: z.number().int().positive() }),
  subscriptions: z.object({
    crmObjects: z.array(z.object({ subscriptionType: z.string().min(1), objectType: z.string().min(1), propertyName: z.string().min(1).optional(), active: z.boolean() })),
    legacyCrmObjects: z.array(z.unknown()),
    hubEvents: z.array(z.object({ subscriptionType: z.string().min(1), active: z.boolean() })),
  }),
});

/** The component types DealBooks' project has, with the schema of each one's `config`. */
export const CONFIG_SCHEMAS = { app: appConfig, card: cardConfig, settings: settingsConfig, webhooks: webhooksConfig } as const;
export type DealBooksComponentType = keyof typeof CONFIG_SCHEMAS;

export type AppConfig = z.output<typeof appConfig>;
export type WebhooksConfig = z.output<typeof webhooksConfig>;

/** `a.b.0.c` for a zod issue path, prefixed with the key the parsed value sat under. */
export function fieldOf(prefix: string, issuePath: readonly PropertyKey[]): string {
  return [prefix, ...issuePath.map(String)].filter(Boolean).join('.');
}
