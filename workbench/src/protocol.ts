import type { RemoteChannel } from '@remote-ui/core';

/** What the extension worker offers the page (over @remote-ui/rpc). */
export interface ExtensionWorkerApi {
  /**
   * Renders the extension into `channel` with the extension point's context; each name in `actionNames` becomes an
   * action (`actions.addAlert(...)`) that calls the page's `action(name, args)`.
   */
  render(channel: RemoteChannel, context: unknown, actionNames: string[]): void;
}

/** What the page offers the extension worker. */
export interface HostApi {
  /** `hubspot.fetch`: signed as HubSpot signs it and sent to DealBooks; no answer at all comes back as `error`. */
  fetch(url: string, options: { method?: string; body?: unknown; timeout?: number }): Promise<HostFetchAnswer>;
  /** One of the extension point's actions, by name. */
  action(name: string, args: unknown[]): Promise<unknown>;
}

export interface HostFetchAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | null;
  /** Set when nothing answered (DealBooks unreachable, the timeout passed): hubspot.fetch rejects with it. */
  error?: string;
}
