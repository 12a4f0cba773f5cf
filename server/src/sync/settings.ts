import { z } from 'zod';
import { canonicalId, qboId } from './ids';
import type { Pipeline } from './model';

/**
 * What finance chooses per account. Stored as JSON in portal_settings, always read through this
 * schema: a stored value written by an older version gets today's defaults for what it lacks, and an unknown key is
 * refused on write (a typo must not be silently ignored).
 */
const hubspotId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected a HubSpot id');

/** Days overdue at which a follow-up task is due: the day after the due date, two weeks on, a month. */
export const DEFAULT_OVERDUE_THRESHOLDS: readonly number[] = [1, 15, 30];
/** More steps than this would make the follow-up noise rather than a reminder. */
export const MAX_OVERDUE_THRESHOLDS = 5;
/** A year overdue is a matter for collections, not a reminder to the deal owner. */
export const MAX_OVERDUE_DAYS = 365;

/**
 * Days overdue at which the deal owner gets a task: whole days, 1 to 365, each once, at most 5. Kept in ascending
 * order (a list given in another order is sorted), so the highest step reached is always the last one.
 */
const overdueThresholds = z
  .array(
    z
      .number({ error: 'expected a number of days overdue' })
      .int('expected a whole number of days')
      .min(1, 'expected 1 or more days overdue (0 is the due date itself, when nothing is overdue yet)')
      .max(MAX_OVERDUE_DAYS, `expected at most ${MAX_OVERDUE_DAYS} days overdue`),
    { error: 'expected a list of days overdue, e.g. [1, 15, 30]' },
  )
  .min(1, 'expected at least one threshold; to stop overdue tasks, set overdueTasks.enabled to false')
  .max(MAX_OVERDUE_THRESHOLDS, `expected at most ${MAX_OVERDUE_THRESHOLDS} thresholds`)
  .superRefine((days, ctx) => {
    const seen = new Set<number>();
    days.forEach((day, index) => {
      if (seen.has(day)) ctx.addIssue({ code: 'custom', path: [index], message: `${day} ${day === 1 ? 'day' : 'days'} is listed twice; list each threshold once` });
      seen.add(day);
    });
  })
  .transform((days) => [...days].sort((a, b) => a - b));

export const settingsSchema = z
  .object({
    /** A deal reaching a trigger stage creates the document by itself. Off by default: finance turns it on. */
    autoInvoice: z.boolean().default(false),
    /**
     * Trigger stages per pipeline id. A pipeline that is not listed uses its won stages (closed, probability 1, read
     * from HubSpot's pipelines API); an empty list switches auto-invoice off for that pipeline.
     */
    triggerStages: z.record(hubspotId, z.array(hubspotId).max(50)).default({}),
    /** What auto-invoice and the card's main button create. */
    documentKind: z.enum(['invoice', 'estimate']).default('invoice'),
    /** 'send': QBO emails the invoice as soon as it exists; 'review': it waits in QBO for someone to send it. */
    delivery: z.enum(['send', 'review']).default('review'),
    /** QBO term id; null: the customer's terms, else the company's default terms (Preferences). */
    termId: qboId.nullable().default(null),
    /** The invoice date: the deal's close date (today when it has none) or the day it is created. */
    txnDate: z.enum(['close_date', 'today']).default('close_date'),
    /** Products that map to no QBO item: null stops and asks ("map product X"); an item id is used instead. */
    defaultItemId: qboId.nullable().default(null),
    /** Tax codes for lines whose item is taxable / not; null lets QBO decide from the item and customer. */
    taxCodes: z
      .object({ taxable: qboId.nullable().default(null), nonTaxable: qboId.nullable().default(null) })
      .strict()
      .default({ taxable: null, nonTaxable: null }),
    classId: qboId.nullable().default(null),
    /** The message to the customer on the invoice; placeholders like {{dealName}} (see MEMO_PLACEHOLDERS in memo.ts). */
    memoTemplate: z.string().max(1000).default('{{dealName}}'),
    customers: z
      .object({
        /** No match found: create the customer from the company and its contact (else: stop and ask). */
        createWhenNoMatch: z.boolean().default(true),
        /** A fuzzy name match at or above this score is proposed for confirmation; below it, it is ignored. */
        matchThreshold: z.number().min(0.5).max(1).default(0.8),
        /** Each deal gets its own QBO sub-customer (a project) under the company's customer. */
        projectPerDeal: z.boolean().default(false),
      })
      .strict()
      .default({ createWhenNoMatch: true, matchThreshold: 0.8, projectPerDeal: false }),
    /**
     * Where QBO emails an invoice: 'quickbooks-customer' (the QBO customer's own address, which finance keeps for
     * its accounts-payable contact; the HubSpot contact's only for a new customer or one without an address) or
     * 'hubspot-contact' (the deal's contact, else the customer's address).
     */
    billEmail: z.enum(['quickbooks-customer', 'hubspot-contact']).default('quickbooks-customer'),
    /**
     * A new customer's name is held by an inactive QBO customer: 'ask' (the card names it and a person confirms,
     * which reactivates it), 'reactivate' (reactivate it without asking) or 'create-new' (a new "Name (2)").
     */
    inactiveCustomer: z.enum(['ask', 'reactivate', 'create-new']).default('ask'),
    /**
     * An estimate the customer accepts in QuickBooks becomes the deal's invoice by itself, through the same
     * conversion as the card's "Convert to invoice" (once; never when the deal already has an invoice). Off by
     * default: finance decides when accepting a quote means billing it.
     */
    convertAcceptedEstimates: z.boolean().default(false),
    /** Who may create invoices and estimates from the card: everyone, or these HubSpot user ids. */
    creators: z
      .union([z.literal('everyone'), z.array(canonicalId).max(500)])
      .default('everyone'),
    /**
     * Follow-up tasks in HubSpot for the owner of a deal whose invoice is overdue, one per invoice and threshold
     * (quote-to-cash/overdue-tasks.ts). Off by default: the tasks land in the sales reps' own task lists, which is
     * finance's call to make, and an account turning the feature on by an upgrade would wake up to a task for every
     * overdue invoice at once.
     */
    overdueTasks: z
      .object({
        enabled: z.boolean().default(false),
        thresholds: overdueThresholds.default([...DEFAULT_OVERDUE_THRESHOLDS]),
      })
      .strict()
      .default({ enabled: false, thresholds: [...DEFAULT_OVERDUE_THRESHOLDS] }),
  })
  .strict();

export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = settingsSchema.parse({});

/** Stored settings as today's type: defaults fill the gaps; a stored value that no longer parses falls back. */
export function readStoredSettings(stored: unknown): Settings {
  const parsed = settingsSchema.safeParse(stored ?? {});
  if (parsed.success) return parsed.data;
  // Keep what still parses key by key, so one bad value does not throw away every other choice.
  const result: Record<string, unknown> = {};
  const shape = settingsSchema.shape as Record<string, z.ZodType>;
  for (const [key, schema] of Object.entries(shape)) {
    const value = (stored as Record<string, unknown> | null)?.[key];
    const one = schema.safeParse(value);
    result[key] = one.success ? one.data : schema.parse(undefined);
  }
  return result as Settings;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The keys a whole settings document lacks, nested ones as `customers.matchThreshold`. A PUT replaces the whole
 * document, so a missing key is refused rather than silently reset to its default (partial changes are a PATCH).
 * Only the groups with fixed keys (taxCodes, customers, overdueTasks) are looked into; triggerStages is a map of its own.
 */
export function missingSettingKeys(document: unknown): string[] {
  if (!isPlainObject(document)) return Object.keys(DEFAULT_SETTINGS);
  const missing: string[] = [];
  for (const [key, fallback] of Object.entries(DEFAULT_SETTINGS)) {
    if (!(key in document)) {
      missing.push(key);
      continue;
    }
    const given = document[key];
    if (key === 'triggerStages' || !isPlainObject(fallback) || !isPlainObject(given)) continue;
    for (const inner of Object.keys(fallback)) if (!(inner in given)) missing.push(`${key}.${inner}`);
  }
  return missing;
}

/**
 * A PATCH on top of the stored settings: each key given replaces the stored one; the groups with fixed keys
 * (taxCodes, customers, overdueTasks) merge key by key, so `{"customers": {"matchThreshold": 0.9}}` keeps the other customer
 * choices. triggerStages is replaced whole (it is one choice: which stages of which pipelines). The result is still
 * validated by settingsSchema (an unknown key is refused).
 */
export function mergeSettings(current: Settings, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    const stored = (current as Record<string, unknown>)[key];
    merged[key] = key !== 'triggerStages' && isPlainObject(stored) && isPlainObject(value) ? { ...stored, ...value } : value;
  }
  return merged;
}

/** The user may create documents from the card. */
export function mayCreate(settings: Settings, userId: number | undefined): boolean {
  if (settings.creators === 'everyone') return true;
  return userId !== undefined && settings.creators.includes(String(userId));
}

/**
 * The pipeline's won stages: closed with probability 1. Accounts rename stages and add pipelines whose won stage
 * has an opaque id, so "won" is read from the stage metadata HubSpot's pipelines API returns, never from a name like
 * `closedwon`.
 */
export function wonStageIds(pipeline: Pipeline): string[] {
  return pipeline.stages.filter((s) => s.isClosed && s.probability === 1).map((s) => s.id);
}

/** The stages of a pipeline that trigger auto-invoice: the configured ones, else its won stages. */
export function triggerStagesFor(settings: Settings, pipelineId: string, wonStageIds: readonly string[]): readonly string[] {
  return settings.triggerStages[pipelineId] ?? wonStageIds;
}

/**
 * The stages that trigger auto-invoice for a deal of `pipelineId` (null: the deal names none), given the account's
 * pipelines as HubSpot lists them. The one rule auto-invoice (quote-to-cash/auto-invoice.ts) and its dry run
 * (quote-to-cash/dry-run.ts) both follow, so the dry run shows what auto-invoice would do, not something close to it.
 */
export function dealTriggerStages(settings: Settings, pipelines: readonly Pipeline[], pipelineId: string | null): readonly string[] {
  const pipeline = pipelines.find((p) => p.id === pipelineId);
  return triggerStagesFor(settings, pipelineId ?? '', pipeline ? wonStageIds(pipeline) : []);
}

/** Every stage that triggers auto-invoice in some pipeline: the listed pipelines' and any configured one's. */
export function allTriggerStages(settings: Settings, pipelines: readonly Pipeline[]): string[] {
  const configured = Object.values(settings.triggerStages).flat();
  return [...new Set([...pipelines.flatMap((p) => dealTriggerStages(settings, pipelines, p.id)), ...configured])];
}
