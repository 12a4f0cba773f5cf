import React, { useEffect, useRef, useState } from 'react';
import { Divider, Flex, hubspot, type SettingsContext } from '@hubspot/ui-extensions';
import { AdminsSection } from './AdminsSection';
import { ConnectionSection } from './ConnectionSection';
import { CustomerReview } from './CustomerReview';
import { DeleteData } from './DeleteData';
import { DryRun } from './DryRun';
import { useDealBooks } from './load';
import { LoadFailed, Loading, ReadOnlyNote } from './parts';
import { ProductMappings } from './ProductMappings';
import { useQboLists } from './qbo-lists';
import { QuoteToCashSettings } from './QuoteToCashSettings';
import { SyncLog } from './SyncLog';
import type { QuickbooksStatus, SettingsView } from './types';

const UNKNOWN_ACCESS: SettingsView['access'] = { userId: null, isAdmin: false, admins: [] };

/**
 * DealBooks' settings page in HubSpot (Connected apps > DealBooks > Settings), for admins and finance. Who may
 * change what comes from DealBooks (`access` of GET /api/settings), which checks it again on every write: a person
 * who is not an admin reads everything, with the inputs read only and the actions that write left out.
 */
export function SettingsPage({ context }: { context: Pick<SettingsContext, 'portal'> }) {
  const settings = useDealBooks<SettingsView>('/api/settings');
  const status = useDealBooks<QuickbooksStatus>('/api/quickbooks/status');
  // While the status is read again, the last answer stands: a refresh must not make the sections that need QuickBooks
  // read everything twice (once as "not connected", once as connected).
  const known = useRef<boolean | null>(null);
  const connected = status.loaded.state === 'ready' ? status.loaded.data.status === 'connected' : (known.current ?? false);
  // Each time the connection comes or goes (not when it is first learnt), the sections that need QuickBooks start over.
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (status.loaded.state !== 'ready') return;
    if (known.current !== null && known.current !== connected) setGeneration((g) => g + 1);
    known.current = connected;
  }, [status.loaded, connected]);
  const lists = useQboLists(connected);

  if (settings.loaded.state === 'loading') return <Loading what="the DealBooks settings" />;
  if (settings.loaded.state === 'error') return <LoadFailed what="The DealBooks settings" error={settings.loaded.error} onRetry={settings.reload} />;
  // A DealBooks that does not say who may change the settings (one older than this page) gets a read-only page:
  // offering controls that DealBooks may refuse is worse than asking an admin.
  const view: SettingsView = { ...settings.loaded.data, access: settings.loaded.data.access ?? UNKNOWN_ACCESS };
  const { isAdmin, admins } = view.access;

  return (
    <Flex direction="column" gap="md">
      {!isAdmin ? <ReadOnlyNote admins={admins} /> : null}
      <ConnectionSection status={status.loaded} reload={status.reload} isAdmin={isAdmin} admins={admins} />
      <Divider />
      <QuoteToCashSettings key={String(view.version)} view={view} lists={lists} connected={connected} onReload={settings.reload} />
      <Divider />
      <ProductMappings key={`mappings-${generation}`} isAdmin={isAdmin} lists={lists} />
      <Divider />
      <CustomerReview key={`review-${generation}`} mayDecide={view.access.mayCreate === true} />
      <Divider />
      <DryRun timeZone={context.portal.timezone} />
      <Divider />
      <SyncLog mayRetry={view.access.mayCreate === true} />
      <Divider />
      <AdminsSection access={view.access} onSaved={settings.reload} />
      {isAdmin ? (
        <>
          <Divider />
          <DeleteData portalId={context.portal.id} />
        </>
      ) : null}
    </Flex>
  );
}

hubspot.extend<'settings'>(({ context }) => <SettingsPage context={context} />);
