import { createRemoteReceiver, RemoteRenderer, createController, type RemoteReceiver } from '@remote-ui/react/host';
import { createEndpoint, fromWebWorker } from '@remote-ui/rpc';
import { useEffect, useMemo, useState, type ComponentType } from 'react';
import type { ExtensionWorkerApi, HostApi, HostFetchAnswer } from '../protocol';
import { hostComponents, Placeholder } from './components';

/**
 * Runs one UI extension the way HubSpot does: its bundle in a Web Worker (the worker globals come from
 * ../worker/runtime.ts), its @remote-ui tree received here and drawn with the HTML implementations in ./components.
 * A component without one is drawn as a placeholder naming it, so nothing the extension shows goes missing unseen.
 */

/** The controller: the HTML implementation of each remote component, or a placeholder that names it. */
export function hostController() {
  const placeholders = new Map<string, ComponentType<any>>();
  const placeholderFor = (name: string) => {
    let component = placeholders.get(name);
    if (!component) {
      component = (props: { children?: React.ReactNode }) => <Placeholder name={name}>{props.children}</Placeholder>;
      placeholders.set(name, component);
    }
    return component;
  };
  const base = createController(hostComponents);
  return { ...base, get: (type: string | { toString(): string }) => hostComponents[String(type)] ?? placeholderFor(String(type)) };
}

export interface ExtensionHostProps {
  /** The worker bundle (served by DealBooks at /sandbox/assets/...). */
  bundleUrl: string;
  /** The extension point's context (crm, user, portal). */
  context: unknown;
  /** The extension point's actions, by name. */
  actions: Record<string, (...args: any[]) => unknown>;
  /** hubspot.fetch as HubSpot performs it: signed, sent to DealBooks, the answer handed back. */
  fetch: HostApi['fetch'];
  /** A change of key starts the extension again (a new worker), as reopening the record does in HubSpot. */
  label: string;
  /** Called when this run of the extension ends (its worker is stopped). */
  onStop?: () => void;
}

export function ExtensionHost({ bundleUrl, context, actions, fetch, label, onStop }: ExtensionHostProps) {
  const controller = useMemo(hostController, []);
  const [receiver, setReceiver] = useState<RemoteReceiver>();
  const [failure, setFailure] = useState<string>();

  useEffect(() => {
    const worker = new Worker(bundleUrl);
    const endpoint = createEndpoint<ExtensionWorkerApi>(fromWebWorker(worker));
    const host: HostApi = {
      fetch,
      async action(name, args) {
        const action = actions[name];
        if (!action) throw new Error(`the workbench does not provide the action ${name}`);
        return action(...args);
      },
    };
    endpoint.expose(host as unknown as Record<string, (...args: any[]) => any>);
    worker.addEventListener('error', (event) => setFailure(event.message || 'the extension worker failed'));
    const next = createRemoteReceiver();
    setReceiver(next);
    setFailure(undefined);
    endpoint.call.render(next.receive, context, Object.keys(actions)).catch((err: unknown) => setFailure(err instanceof Error ? err.message : String(err)));
    return () => {
      endpoint.terminate();
      worker.terminate();
      onStop?.();
    };
    // The context and actions are read when the extension starts, as in HubSpot; a new deal is a new key.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [bundleUrl, label]);

  return (
    <div className="wb-extension" data-extension={label}>
      {failure ? <div className="wb-failure" role="alert">The extension failed: {failure}</div> : null}
      {receiver ? <RemoteRenderer receiver={receiver} controller={controller as any} /> : null}
    </div>
  );
}

/**
 * hubspot.fetch: only absolute URLs on DealBooks' address (HubSpot allows the app's `permittedUrls.fetch` only),
 * signed by the HubSpot simulator as HubSpot signs a card's request, as the user at the screen.
 */
export function signedFetch(options: { baseUrl: string; portalId: number; userId: () => number }): HostApi['fetch'] {
  return async (url, init) => {
    if (url !== options.baseUrl && !url.startsWith(`${options.baseUrl}/`)) {
      return { status: 0, headers: {}, body: null, error: `hubspot.fetch refused ${url}: only ${options.baseUrl} is permitted for this app` };
    }
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : init.body;
    let answer: { status: number; headers?: Record<string, string>; body?: unknown; error?: string };
    try {
      const response = await window.fetch('/sandbox/sim/hubspot/card-requests', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ portalId: options.portalId, url, method: (init.method ?? 'GET').toUpperCase(), body, userId: options.userId() }),
      });
      answer = await response.json();
      if (!response.ok) return { status: 0, headers: {}, body: null, error: `the HubSpot simulator refused the request: ${JSON.stringify(answer)}` };
    } catch (err) {
      return { status: 0, headers: {}, body: null, error: err instanceof Error ? err.message : String(err) };
    }
    // No answer at all (DealBooks unreachable, a timeout, a payload over HubSpot's limit): hubspot.fetch rejects.
    // HubSpot's own refusals with a status (429 for too many concurrent requests) reach the extension as answers.
    if (!answer.status) return { status: 0, headers: {}, body: null, error: answer.error ?? 'no answer' };
    const text = answer.body === undefined || answer.body === null ? null : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    const result: HostFetchAnswer = { status: answer.status, headers: answer.headers ?? {}, body: text };
    return result;
  };
}
