import { z } from 'zod';

/**
 * The one form of a numeric id DealBooks accepts from outside (route parameters, query and body ids): decimal
 * digits, no sign, no spaces, no leading zero, no fraction or exponent, at most 18 digits (inside Postgres bigint).
 * `0x1`, `+1`, ` 1`, `1.0` and `01` are refused rather than read as 1: two spellings of one id would be two keys for
 * one deal (or one key for two), and a lenient parse retries the wrong entry.
 */
const CANONICAL_ID = /^[1-9][0-9]{0,17}$/;
const MESSAGE = 'expected a positive whole number written plainly (digits only, no leading zero)';

/** A canonical id, kept as text (HubSpot ids outgrow JavaScript's safe integers). */
export const canonicalId = z.string().regex(CANONICAL_ID, MESSAGE);

/** A canonical id that DealBooks itself numbered (a row id), as a number. */
export const canonicalIdNumber = canonicalId.refine((id) => Number.isSafeInteger(Number(id)), MESSAGE).transform(Number);

/**
 * A QuickBooks Online entity id as DealBooks accepts it from outside (route parameters, bodies, settings): QBO's ids
 * are short strings, digits for most entities and letters for some (tax codes such as `NON`); at most 40 of
 * `0-9 A-Z a-z _ -`, nothing that could change a URL path. One rule for the card, the settings page and the settings.
 */
export const qboId = z.string().regex(/^[0-9A-Za-z_-]{1,40}$/, 'expected a QuickBooks id');
