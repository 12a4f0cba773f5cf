/**
 * Links for people into QuickBooks' web app (they need a QuickBooks login): an invoice is
 * `https://app.qbo.intuit.com/app/invoice?txnId={Id}`, an estimate `/app/estimate?txnId=`, a customer
 * `/app/customerdetail?nameId=`; a sandbox company lives on `app.sandbox.qbo.intuit.com`. The link a paying customer
 * uses is a different thing: `Invoice.InvoiceLink`.
 */
export type QboEnvironment = 'sandbox' | 'production';

export const QBO_APP_BASE_URLS: Readonly<Record<QboEnvironment, string>> = {
  production: 'https://app.qbo.intuit.com',
  sandbox: 'https://app.sandbox.qbo.intuit.com',
};

export const qboAppBaseUrl = (environment: QboEnvironment): string => QBO_APP_BASE_URLS[environment];

const PAGES = { invoice: '/app/invoice?txnId=', estimate: '/app/estimate?txnId=', customer: '/app/customerdetail?nameId=' } as const;

export function qboWebUrl(appBaseUrl: string, page: keyof typeof PAGES, id: string): string {
  return `${appBaseUrl.replace(/\/+$/, '')}${PAGES[page]}${encodeURIComponent(id)}`;
}
