import { createRemoteRoot, type RemoteChannel } from '@remote-ui/core';
import { createRoot } from '@remote-ui/react';
import { createEndpoint, retain } from '@remote-ui/rpc';
import type { ReactElement } from 'react';
import type { ExtensionWorkerApi, HostApi, HostFetchAnswer } from '../protocol';

/**
 * The extension worker's globals, as HubSpot's worker provides them to a UI extension. In @hubspot/ui-extensions
 * 0.17, `hubspot.extend` is the worker global `extend_V2` and `hubspot.fetch` calls `self.hsFetch`, both read only
 * when `self.__HUBSPOT_EXTENSION_WORKER__` is true (node_modules/@hubspot/ui-extensions/dist/hubspot.js and
 * dist/internal/global-utils.js); the hooks (useExtensionContext, useExtensionActions) call `self.hsWorkerAPI`.
 *
 * This module is bundled first, ahead of the extension's own entry file, so the globals exist before the extension's
 * code reads them; the extension itself runs unchanged. The page starts the worker and calls `render` over
 * @remote-ui/rpc with the remote-ui channel and the host's functions (fetch, alerts, overlays); the extension's
 * components are @remote-ui components, so its tree travels to the page, which draws each one in HTML.
 */

type RenderCallback = (api: unknown) => ReactElement;

interface WorkerSelf {
  __HUBSPOT_EXTENSION_WORKER__?: boolean;
  extend_V2?: (callback: RenderCallback) => void;
  hsFetch?: (url: string, options?: { method?: string; body?: unknown; timeout?: number }) => Promise<Response>;
  serverless?: (name: string) => Promise<never>;
  logger?: Record<'debug' | 'info' | 'warn' | 'error', (data: unknown) => void>;
  hsWorkerAPI?: Record<string, unknown>;
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

const worker = self as unknown as WorkerSelf;
const endpoint = createEndpoint<HostApi>(worker);

let renderCallback: RenderCallback | undefined;
let api: { context: unknown; actions: Record<string, unknown>; runServerlessFunction: () => Promise<never> } | undefined;

const notInWorkbench = (what: string) => () => {
  throw new Error(`${what} is not available in the DealBooks workbench`);
};

worker.__HUBSPOT_EXTENSION_WORKER__ = true;
worker.extend_V2 = (callback) => {
  renderCallback = callback;
};
worker.logger = {
  debug: (data) => console.debug(data),
  info: (data) => console.info(data),
  warn: (data) => console.warn(data),
  error: (data) => console.error(data),
};
worker.serverless = () => Promise.reject(new Error('serverless functions are not part of DealBooks (its extensions call DealBooks with hubspot.fetch)'));
worker.hsFetch = async (url, options = {}) => {
  const answer: HostFetchAnswer = await endpoint.call.fetch(url, {
    method: options.method,
    // hubspot.fetch takes a JSON body; the host sends it as HubSpot does, serialised once.
    body: options.body,
    timeout: options.timeout,
  });
  if (answer.error !== undefined) throw new TypeError(answer.error);
  const noBody = answer.status === 204 || answer.status === 304;
  return new Response(noBody ? null : answer.body, { status: answer.status, headers: answer.headers });
};
worker.hsWorkerAPI = {
  useExtensionContext: () => api?.context,
  useExtensionActions: () => api?.actions,
  useExtensionApi: () => api,
  useAppPageLocation: notInWorkbench('useAppPageLocation'),
  fetchCrmSearch: notInWorkbench('useCrmSearch'),
  fetchCrmProperties: notInWorkbench('useCrmProperties'),
  fetchAssociations: notInWorkbench('useAssociations'),
  fetchHubSpotApi: notInWorkbench('the HubSpot API client'),
  formatCrmProperties: notInWorkbench('formatCrmProperties'),
};

const exposed: ExtensionWorkerApi = {
  render(channel: RemoteChannel, context: unknown, actionNames: string[]) {
    if (!renderCallback) throw new Error('the extension did not call hubspot.extend');
    // The channel is called long after this call returns (each update of the tree): kept until the worker ends.
    retain(channel);
    const actions: Record<string, unknown> = {};
    for (const name of actionNames) actions[name] = (...args: unknown[]) => endpoint.call.action(name, args);
    api = { context, actions, runServerlessFunction: () => Promise.reject(new Error('serverless functions are not part of DealBooks')) };
    const root = createRemoteRoot(channel);
    createRoot(root).render(renderCallback(api));
    root.mount();
  },
};
endpoint.expose(exposed as unknown as Record<string, (...args: any[]) => any>);
