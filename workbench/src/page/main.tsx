import { StrictMode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { hostStyles, overlays } from './components';
import { ExtensionHost, signedFetch } from './extension-host';
import { DealRecord, DeletedDeal } from './deal-record';
import { DealsBoard, type DeletedDealEntry } from './deals-board';
import { QuickbooksCompany } from './quickbooks-company';
import { FaultSwitches } from './fault-switches';
import { hubspotOf, quickbooksOf, world as readWorld, type CrmObject, type World } from './sim';
import { workbenchStyles } from './styles';
import { propertyUpdates } from './property-updates';

/**
 * The workbench: the demo HubSpot account (deals by stage, the selected deal's record and its DealBooks card) beside
 * the demo QuickBooks company (customers, invoices, estimates, payments, with a bookkeeper's actions), the settings
 * page, and the simulators' faults as switches. The page only drives the simulators; what follows is DealBooks'.
 */

const version = (window as unknown as { __WORKBENCH__?: { version: string } }).__WORKBENCH__?.version ?? 'dev';
const bundle = (name: 'card' | 'settings') => `/sandbox/assets/${name}.js?v=${version}`;
/** How often the page reads the simulators again, so webhooks' effects show without a click. */
const REFRESH_MS = 1500;

interface Alert {
  id: number;
  type: string;
  title?: string;
  message: string;
}

function App() {
  const [world, setWorld] = useState<World>();
  const [failure, setFailure] = useState<string>();
  useEffect(() => {
    readWorld().then(setWorld, (err: Error) => setFailure(err.message));
  }, []);
  if (failure) return <div className="wb-failure" role="alert">{failure}</div>;
  if (!world) return <p className="wb-loading">Reading the sandbox…</p>;
  return <Workbench world={world} />;
}

function Workbench({ world }: { world: World }) {
  const hubspot = useMemo(() => hubspotOf(world.hubspot.portalId), [world]);
  const quickbooks = useMemo(() => quickbooksOf(world.quickbooks.realmId), [world]);
  const [view, setView] = useState<'deals' | 'settings'>('deals');
  const [deals, setDeals] = useState<CrmObject[]>([]);
  const [dealId, setDealId] = useState<string>();
  // Deals deleted on this page, newest first: HubSpot lists them no more, so their ids are kept here to restore them.
  const [deleted, setDeleted] = useState<DeletedDealEntry[]>([]);
  const [restoring, setRestoring] = useState<string>();
  const [restoreProblem, setRestoreProblem] = useState<string>();
  const [tick, setTick] = useState(0);
  const [cardRun, setCardRun] = useState(0);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [userId, setUserId] = useState(world.hubspot.users.find((u) => u.installer)?.userId ?? world.hubspot.users[0]?.userId ?? 0);
  const userRef = useRef(userId);
  userRef.current = userId;
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  // The open card's subscriptions to the record's properties; they end with the card (ExtensionHost's onStop).
  const updates = useMemo(propertyUpdates, []);
  const cardLabel = `card-${dealId}-${userId}-${cardRun}`;

  // The next round of reads starts REFRESH_MS after this one's deals list came back, so a slow simulator is never
  // asked faster than it answers.
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    hubspot
      .list('deals')
      .then(
        (list) => {
          if (!stopped) setDeals(list);
        },
        () => undefined,
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
      });
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [hubspot, tick, refresh]);

  const restore = async (id: string) => {
    setRestoring(id);
    setRestoreProblem(undefined);
    try {
      await hubspot.restoreDeal(id);
      setDeleted((list) => list.filter((entry) => entry.id !== id));
      setDealId(id);
      refresh();
    } catch (err) {
      setRestoreProblem(err instanceof Error ? err.message : String(err));
      setDealId(id);
    } finally {
      setRestoring(undefined);
    }
  };
  const deletedDeal = deleted.find((entry) => entry.id === dealId);

  const user = world.hubspot.users.find((u) => u.userId === userId);
  const fetch = useMemo(() => signedFetch({ baseUrl: world.baseUrl, portalId: world.hubspot.portalId, userId: () => userRef.current }), [world]);
  const addAlert = useCallback((alert: { type?: string; title?: string; message: string }) => {
    setAlerts((list) => [...list, { id: Date.now() + Math.random(), type: alert.type ?? 'info', title: alert.title, message: alert.message }]);
  }, []);
  const portal = { id: world.hubspot.portalId, timezone: 'America/New_York' };
  const email = user?.userEmail ?? '';
  const hubspotUser = { id: userId, email, emails: [email], firstName: user?.firstName ?? '', lastName: user?.lastName ?? '', locale: 'en-US', teams: [], roles: [], permissions: [] };
  const copyTextToClipboard = (text: string) => navigator.clipboard.writeText(text);

  const cardActions = {
    addAlert,
    refreshObjectProperties: refresh,
    reloadPage: () => setCardRun((n) => n + 1),
    closeOverlay: (id: string) => overlays.close(id),
    openIframeModal: (options: { uri?: string }) => {
      if (options?.uri) window.open(options.uri, '_blank', 'noopener');
    },
    fetchCrmObjectProperties: async (names: string[]) => {
      if (!dealId) return {};
      const deal = await hubspot.get('deals', dealId);
      return Object.fromEntries(names.map((n) => [n, deal.properties[n] ?? null]));
    },
    onCrmPropertiesUpdate: (names: string[] | '*', callback: (properties: Record<string, string>) => void) => updates.subscribe(names, callback),
    copyTextToClipboard,
  };
  const settingsActions = {
    addAlert,
    reloadPage: () => setCardRun((n) => n + 1),
    closeOverlay: (id: string) => overlays.close(id),
    openIframeModal: cardActions.openIframeModal,
    copyTextToClipboard,
  };

  return (
    <div className="wb-page">
      <header className="wb-header">
        <h1>DealBooks workbench</h1>
        <span className="wb-subtitle">
          sandbox · HubSpot account {world.hubspot.portalId} · QuickBooks company {world.quickbooks.realmId}
        </span>
        <nav className="wb-tabs" aria-label="Views">
          <button className={view === 'deals' ? 'wb-tab wb-tab-on' : 'wb-tab'} onClick={() => setView('deals')} aria-pressed={view === 'deals'}>
            Deals and card
          </button>
          <button className={view === 'settings' ? 'wb-tab wb-tab-on' : 'wb-tab'} onClick={() => setView('settings')} aria-pressed={view === 'settings'}>
            Settings page
          </button>
        </nav>
        <label className="wb-user">
          HubSpot user
          <select
            value={userId}
            onChange={(event) => {
              setUserId(Number(event.target.value));
              setCardRun((n) => n + 1);
            }}
          >
            {world.hubspot.users.map((u) => (
              <option key={u.userId} value={u.userId}>
                {u.firstName} {u.lastName} ({u.userEmail}){u.installer ? ', installed DealBooks' : ''}
              </option>
            ))}
          </select>
        </label>
        <FaultSwitches quickbooks={quickbooks} />
      </header>
      {alerts.length > 0 ? (
        <div className="wb-alerts" aria-label="HubSpot alerts">
          {alerts.map((alert) => (
            <div key={alert.id} className={`wb-toast wb-toast-${alert.type}`} role="status">
              {alert.title ? <strong>{alert.title} </strong> : null}
              {alert.message}
              <button aria-label="Dismiss" onClick={() => setAlerts((list) => list.filter((a) => a.id !== alert.id))}>
                ×
              </button>
            </div>
          ))}
        </div>
      ) : null}
      {view === 'deals' ? (
        <main className="wb-main">
          <section className="wb-column wb-hubspot" aria-label="HubSpot">
            <h2>HubSpot</h2>
            <DealsBoard deals={deals} pipelines={world.pipelines} selected={dealId} onSelect={setDealId} deleted={deleted} restoring={restoring} onRestore={restore} />
          </section>
          <section className="wb-column wb-record" aria-label="Deal record">
            {deletedDeal ? (
              <DeletedDeal name={deletedDeal.name} restoring={restoring === deletedDeal.id} problem={restoreProblem} onRestore={() => restore(deletedDeal.id)} />
            ) : dealId ? (
              <div className="wb-record-layout">
                <DealRecord
                  hubspot={hubspot}
                  dealId={dealId}
                  pipelines={world.pipelines}
                  tick={tick}
                  others={deals.filter((d) => d.id !== dealId)}
                  onEdited={(changed) => {
                    updates.notify(changed);
                    refresh();
                  }}
                  onDeleted={(deal) => {
                    setDeleted((list) => [{ id: deal.id, name: deal.properties.dealname ?? `Deal ${deal.id}` }, ...list.filter((entry) => entry.id !== deal.id)]);
                    setRestoreProblem(undefined);
                    refresh();
                  }}
                  onMerged={(survivorId) => {
                    setDealId(survivorId);
                    refresh();
                  }}
                />
                <aside className="wb-sidebar" aria-label="DealBooks card">
                  <div className="wb-card-frame">
                    <div className="wb-card-title">DealBooks</div>
                    <ExtensionHost
                      bundleUrl={bundle('card')}
                      label={cardLabel}
                      context={{ location: 'crm.record.sidebar', crm: { objectId: Number(dealId), objectTypeId: '0-3' }, user: hubspotUser, portal, extension: { appId: world.hubspot.appId } }}
                      actions={cardActions}
                      fetch={fetch}
                      onStop={updates.clear}
                    />
                  </div>
                </aside>
              </div>
            ) : (
              <p className="wb-hint">Pick a deal on the left to open its record and the DealBooks card.</p>
            )}
          </section>
          <section className="wb-column wb-quickbooks" aria-label="QuickBooks">
            <h2>QuickBooks Online</h2>
            <QuickbooksCompany quickbooks={quickbooks} tick={tick} onChanged={refresh} />
          </section>
        </main>
      ) : (
        <main className="wb-settings" aria-label="Settings page">
          <ExtensionHost
            bundleUrl={bundle('settings')}
            label={`settings-${userId}-${cardRun}`}
            context={{ location: 'settings', user: hubspotUser, portal, extension: { appId: world.hubspot.appId } }}
            actions={settingsActions}
            fetch={fetch}
          />
        </main>
      )}
    </div>
  );
}

const style = document.createElement('style');
style.textContent = `${hostStyles}\n${workbenchStyles}`;
document.head.appendChild(style);
const root = document.getElementById('root')!;
root.dataset.started = 'yes';
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
