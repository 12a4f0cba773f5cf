/** Amounts as the simulators keep them (decimal strings), shown without turning them into floats. */
export function money(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  const text = String(value);
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return text;
  const [, sign, whole, fraction = ''] = match;
  const cents = (fraction + '00').slice(0, 2);
  return `${sign}$${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}

/** A HubSpot timestamp (ISO or epoch milliseconds) as a short local date and time. */
export function when(value: string | null | undefined): string {
  if (!value) return '';
  const date = /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
}
