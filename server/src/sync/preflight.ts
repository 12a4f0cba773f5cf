/**
 * Every problem that blocks creating an invoice or estimate for a deal, found before anything is written and
 * said in words a person can act on: what is wrong, then what to do. Pure: the caller gathers
 * the facts (HubSpot deal, QBO company preferences, item and customer resolution) and shows the answer on the card
 * and in the sync log.
 */
import { transactionDate } from './document-dates';
import { parseDecimal } from './decimal';
import type { DealSnapshot, Problem, QboDocumentKind } from './model';

/** Where customer resolution got to (linked, or matched by email or exact name, counts as resolved). */
export type CustomerFact =
  | { status: 'resolved'; customer: { id: string; displayName: string; currency: string | null; email: string | null } }
  /** Fuzzy candidates only; a person must confirm one (never linked automatically below the threshold). */
  | { status: 'needs_confirmation'; companyName: string; candidates: Array<{ displayName: string; score: number; inactive?: boolean }> }
  /** No candidate at all: DealBooks creates one when settings allow. */
  | { status: 'none' };

/** Facts that come from QuickBooks; only read when the connection is usable. */
export interface QuickbooksFacts {
  company: {
    /** Preferences.AccountingInfoPrefs.BookCloseDate (`YYYY-MM-DD`) or null. */
    bookCloseDate: string | null;
    homeCurrency: string | null;
    multicurrency: boolean | null;
    /** Preferences.SalesFormsPrefs.AllowEstimates; null when unknown. */
    allowEstimates: boolean | null;
  };
  /** Per line item id: the QBO item found for it (mapping or default item), or null when there is none. */
  items: Map<string, { itemId: string } | null>;
  customer: CustomerFact;
  /**
   * Settings naming QuickBooks objects QuickBooks can no longer use, that this document would use
   * (setting-references.ts decides which); each blocks it with its own words.
   */
  unusableSettings?: ReadonlyArray<{ field: string; id: string; message: string }>;
}

export interface PreflightFacts {
  kind: QboDocumentKind;
  dealId: string;
  hubspotInstalled: boolean;
  quickbooks: 'connected' | 'not_connected' | 'needs_reconnect';
  /** The deal as HubSpot has it now; null when HubSpot says it does not exist. */
  deal: DealSnapshot | null;
  /** `YYYY-MM-DD` in the QBO company's time zone. */
  today: string;
  settings: {
    txnDate: 'close_date' | 'today';
    /** Send the document by email from QBO right away. */
    sendByEmail: boolean;
    createCustomers: boolean;
    /** HubSpot user ids that may create documents; null means everyone. */
    allowedUserIds: readonly string[] | null;
  };
  /** The HubSpot user who asked (card action); null for the automatic trigger, which settings already allow. */
  actor: { userId: string } | null;
  /** Null until QuickBooks has been read (e.g. an early check of the connection and the deal only). */
  quickbooksFacts: QuickbooksFacts | null;
}

const SETTINGS = 'DealBooks settings';

/** The candidates that share the best score, best first; a tie when there are several. */
export function tiedCandidates<C extends { score: number }>(candidates: readonly C[]): C[] {
  if (candidates.length === 0) return [];
  const top = Math.max(...candidates.map((c) => c.score));
  return candidates.filter((c) => c.score === top);
}

/** The words for a deal id HubSpot does not know (the card refuses it at once, and preflight says the same). */
export function dealNotFoundMessage(dealId: string, kind: string): string {
  return `HubSpot has no deal ${dealId} in this account; it may have been deleted or merged into another deal. Open the deal that remains and create the ${kind} from there.`;
}

/** The words for an invoice QuickBooks has no address to email to (refused at the press, and by the send job). */
export function noAddressMessage(invoiceNumber: string): string {
  return `Invoice ${invoiceNumber} has no email address to send it to: neither the deal's contact nor the invoice in QuickBooks has one. Add an email to the deal's contact in HubSpot (or to the invoice in QuickBooks), or give the address to send it to, then press Send again.`;
}

function quoted(text: string): string {
  return `“${text}”`;
}

function percent(score: number): string {
  return `${Math.round(score * 100)}%`;
}

function dealProblems(deal: DealSnapshot): Problem[] {
  const problems: Problem[] = [];
  if (deal.lineItems.length === 0) {
    problems.push({
      code: 'no_line_items',
      message: `The deal ${quoted(deal.name)} has no line items. Add the products sold to the deal in HubSpot; DealBooks builds the invoice from them.`,
      subject: { dealId: deal.id },
    });
  }
  for (const line of deal.lineItems) {
    const price = parseDecimal(line.price);
    if (price && price.units >= 0n) continue;
    problems.push({
      code: 'line_without_price',
      message: `The line item ${quoted(line.name)} has no ${price ? 'valid ' : ''}price. Set its unit price in HubSpot (0 is allowed for free items).`,
      subject: { lineItemId: line.id, name: line.name },
    });
  }
  return problems;
}

function unmappedProducts(deal: DealSnapshot, items: QuickbooksFacts['items'], defaultItemUnusable: boolean): Problem[] {
  const problems: Problem[] = [];
  // A default item is set but QuickBooks cannot use it: "choose a default item" would read as if none were set.
  const orDefault = defaultItemUnusable ? 'or choose a default item QuickBooks can use (the one set is not: see below)' : 'or choose a default item';
  const reported = new Set<string>();
  for (const line of deal.lineItems) {
    if (items.get(line.id)) continue;
    // One problem per product, since one mapping fixes every line of it.
    const productId = line.productId ?? line.product?.id ?? null;
    const key = productId ? `product:${productId}` : `line:${line.id}`;
    if (reported.has(key)) continue;
    reported.add(key);
    const name = line.product?.name ?? line.name;
    problems.push(
      productId
        ? {
            code: 'unmapped_product',
            message: `No QuickBooks item matches the HubSpot product ${quoted(name)}. Map the HubSpot product ${quoted(name)} to a QuickBooks item in ${SETTINGS}, ${orDefault}.`,
            subject: { lineItemId: line.id, productId, name },
          }
        : {
            code: 'unmapped_product',
            message: `The line item ${quoted(name)} is not a HubSpot product and no QuickBooks item matches it. ${defaultItemUnusable ? 'Choose a default item QuickBooks can use (the one set is not: see below)' : 'Choose a default item'} in ${SETTINGS}, or pick a product for the line in HubSpot.`,
            subject: { lineItemId: line.id, name },
          },
    );
  }
  return problems;
}

/**
 * QuickBooks refuses a transaction dated on or before the company's book close date, so that is checked before any
 * write and said plainly with the way out (`fix`). Null when the date is open.
 */
export function closedPeriodProblem(txnDate: string, bookCloseDate: string | null, fix: string): Problem | null {
  if (!bookCloseDate || txnDate > bookCloseDate) return null;
  return {
    code: 'closed_period',
    message: `The transaction date ${txnDate} is in a closed period in QuickBooks (books closed through ${bookCloseDate}). ${fix}`,
    subject: { txnDate, bookCloseDate },
  };
}

export const REOPEN_PERIOD = 'Ask your accountant to reopen the period.';

function closedPeriod(facts: PreflightFacts, deal: DealSnapshot, bookCloseDate: string | null): Problem[] {
  const txnDate = transactionDate(facts.settings.txnDate, deal, facts.today);
  const fix = facts.settings.txnDate === 'close_date' && deal.closeDate ? "Change the deal's close date or ask your accountant to reopen the period." : REOPEN_PERIOD;
  const problem = closedPeriodProblem(txnDate, bookCloseDate, fix);
  return problem ? [problem] : [];
}

function currencyMismatch(deal: DealSnapshot, qbo: QuickbooksFacts): Problem[] {
  const { homeCurrency, multicurrency } = qbo.company;
  // A deal without a currency is in the account's currency, which QBO books in its home currency.
  const dealCurrency = deal.currency ?? homeCurrency;
  if (!dealCurrency) return [];
  if (multicurrency !== true && homeCurrency && dealCurrency !== homeCurrency) {
    return [
      {
        code: 'currency_mismatch',
        message: `The deal is in ${dealCurrency} but QuickBooks books only in ${homeCurrency} (multicurrency is off). Change the deal's currency to ${homeCurrency}, or turn on multicurrency in QuickBooks.`,
        subject: { dealCurrency, homeCurrency },
      },
    ];
  }
  const customer = qbo.customer.status === 'resolved' ? qbo.customer.customer : null;
  // QBO gives a customer the home currency unless told otherwise, and its CurrencyRef can be set only once.
  const customerCurrency = customer ? (customer.currency ?? homeCurrency) : null;
  if (customer && customerCurrency && customerCurrency !== dealCurrency) {
    return [
      {
        code: 'currency_mismatch',
        message: `The deal is in ${dealCurrency} but the QuickBooks customer ${quoted(customer.displayName)} is billed in ${customerCurrency}, and a QuickBooks customer has one currency. Change the deal's currency, or choose a ${dealCurrency} customer on the deal card.`,
        subject: { dealCurrency, customerCurrency, customerId: customer.id },
      },
    ];
  }
  return [];
}

function customerProblems(deal: DealSnapshot, facts: PreflightFacts, customer: CustomerFact): Problem[] {
  if (customer.status === 'needs_confirmation' && customer.candidates.length === 1 && customer.candidates[0]!.inactive) {
    const inactive = customer.candidates[0]!;
    return [
      {
        code: 'customer_needs_confirmation',
        message: `QuickBooks has an inactive customer named ${quoted(inactive.displayName)}. Confirm it on the deal card to make it active again and bill it, or choose to create a new customer (it would be named differently, since QuickBooks keeps the inactive customer's name).`,
        subject: { companyName: customer.companyName, candidates: quoted(inactive.displayName), inactive: 'true' },
      },
    ];
  }
  if (customer.status === 'needs_confirmation') {
    const tied = tiedCandidates(customer.candidates);
    if (tied.length > 1) {
      // Equal scores are not "closest matches": nothing tells them apart, so a person must say which one it is.
      const names = tied.map((c) => quoted(c.displayName));
      const how = tied[0]!.score >= 1 ? 'equally well' : `equally well (${percent(tied[0]!.score)} each)`;
      return [
        {
          code: 'customer_needs_confirmation',
          message: `${tied.length} QuickBooks customers match ${quoted(customer.companyName)} ${how}: ${names.join(', ')}. DealBooks cannot tell which one this deal bills; choose the right customer on the deal card, or choose to create a new one.`,
          subject: { companyName: customer.companyName, candidates: names.join(', '), tie: 'true' },
        },
      ];
    }
    const best = customer.candidates.slice(0, 3).map((c) => `${quoted(c.displayName)} (${percent(c.score)})`);
    const closest = best.length > 0 ? ` The closest QuickBooks customers are ${best.join(', ')}.` : '';
    return [
      {
        code: 'customer_needs_confirmation',
        message: `${quoted(customer.companyName)} has no exact match among the QuickBooks customers.${closest} Confirm the right customer on the deal card, or choose to create a new one.`,
        subject: { companyName: customer.companyName, candidates: best.join(', ') },
      },
    ];
  }
  if (customer.status !== 'none') return [];
  const hasName = !!(deal.company?.name?.trim() || deal.contact?.firstName?.trim() || deal.contact?.lastName?.trim() || deal.contact?.email?.trim());
  if (!facts.settings.createCustomers) {
    return [
      {
        code: 'customer_missing',
        message: `No QuickBooks customer matches ${deal.company?.name ? quoted(deal.company.name) : 'this deal'}, and ${SETTINGS} do not allow creating customers. Choose a customer on the deal card, or turn on "Create customers" in ${SETTINGS}.`,
        subject: { dealId: deal.id },
      },
    ];
  }
  if (!hasName) {
    return [
      {
        code: 'customer_missing',
        message: 'The deal has no associated company or contact to create a QuickBooks customer from. Associate a company (or a contact) with the deal in HubSpot, or choose a customer on the deal card.',
        subject: { dealId: deal.id },
      },
    ];
  }
  return [];
}

function billEmail(deal: DealSnapshot, facts: PreflightFacts, customer: CustomerFact): Problem[] {
  // A customer awaiting confirmation may well have an address: ask again once it is confirmed.
  if (!facts.settings.sendByEmail || customer.status === 'needs_confirmation') return [];
  const email = deal.contact?.email?.trim() || (customer.status === 'resolved' ? customer.customer.email?.trim() : null);
  if (email) return [];
  return [
    {
      code: 'no_bill_email',
      message: `DealBooks is set to email the ${facts.kind} from QuickBooks, but neither the deal's contact nor the QuickBooks customer has an email address. Add an email to the deal's contact in HubSpot (or to the customer in QuickBooks), or turn off sending in ${SETTINGS}.`,
      subject: { dealId: deal.id },
    },
  ];
}

/**
 * Every blocking problem, in this stable order: HubSpot install, QBO connection, the deal and its lines, items,
 * closed period, currency, customer, email, permission, estimates. Empty when the document can be created.
 */
export function preflight(facts: PreflightFacts): Problem[] {
  const problems: Problem[] = [];
  const kindWord = facts.kind === 'invoice' ? 'invoices' : 'estimates';

  if (!facts.hubspotInstalled) {
    problems.push({
      code: 'hubspot_uninstalled',
      message: 'DealBooks is no longer installed in this HubSpot account. Reinstall DealBooks from the HubSpot marketplace to create invoices again.',
    });
  }
  if (facts.quickbooks === 'not_connected') {
    problems.push({ code: 'quickbooks_not_connected', message: `QuickBooks is not connected. Connect QuickBooks in ${SETTINGS}.` });
  } else if (facts.quickbooks === 'needs_reconnect') {
    problems.push({
      code: 'quickbooks_needs_reconnect',
      message: `The connection to QuickBooks has expired or was revoked. Reconnect QuickBooks in ${SETTINGS}.`,
    });
  }

  // Without an install nothing about the deal can be known, so its absence says nothing.
  const deal = facts.hubspotInstalled ? facts.deal : null;
  if (facts.hubspotInstalled && !deal) {
    problems.push({
      code: 'deal_not_found',
      message: dealNotFoundMessage(facts.dealId, facts.kind),
      subject: { dealId: facts.dealId },
    });
  }

  // Checks that need facts from QuickBooks are skipped while it is not connected: the facts would be stale or
  // missing, and the connection problem above already says what to do first.
  const qbo = facts.quickbooks === 'connected' ? facts.quickbooksFacts : null;
  if (deal) {
    problems.push(...dealProblems(deal));
    if (qbo) {
      const unusable = qbo.unusableSettings ?? [];
      problems.push(...unmappedProducts(deal, qbo.items, unusable.some((u) => u.field === 'defaultItemId')));
      problems.push(...unusable.map((u): Problem => ({ code: 'setting_unusable', message: u.message, subject: { field: u.field, id: u.id } })));
      problems.push(...closedPeriod(facts, deal, qbo.company.bookCloseDate));
      problems.push(...currencyMismatch(deal, qbo));
      problems.push(...customerProblems(deal, facts, qbo.customer));
      problems.push(...billEmail(deal, facts, qbo.customer));
    }
  }

  const allowed = facts.settings.allowedUserIds;
  if (facts.actor && allowed !== null && !allowed.includes(facts.actor.userId)) {
    problems.push({
      code: 'not_allowed',
      message: `You are not on the list of HubSpot users who may create ${kindWord} with DealBooks. Ask a DealBooks admin to add you in ${SETTINGS}.`,
      subject: { userId: facts.actor.userId },
    });
  }
  if (facts.kind === 'estimate' && qbo?.company.allowEstimates === false) {
    problems.push({
      code: 'estimates_disabled',
      message: 'Estimates are turned off in QuickBooks. Turn them on in QuickBooks (Settings > Account and settings > Sales > Estimates), or create an invoice instead.',
    });
  }
  return problems;
}
