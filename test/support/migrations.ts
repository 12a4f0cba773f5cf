/**
 * Every migration the repository ships, in order. Tests that check what was applied compare against this list,
 * written out by hand on purpose: a migration file that goes missing, or one added without meaning to, fails them.
 */
export const SHIPPED_MIGRATIONS = [
  '20261122000000_initial-schema',
  '20261122010000_connections',
  '20261122020000_quote-to-cash',
  '20261202000000_drop-unused-content-hash',
  '20261202100000_sandbox-world',
  '20261202120000_document-bill-email',
  '20261202130000_webhook-backstop',
  '20261203000000_money-back',
  '20261203100000_account-admins',
  '20261203200000_deal-lifecycle',
] as const;
