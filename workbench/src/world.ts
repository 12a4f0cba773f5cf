/** What the workbench page is told about the sandbox (GET /sandbox/api/world). */
export interface WorkbenchWorld {
  /** DealBooks' public address: the one address the extensions may fetch (their built `permittedUrls.fetch`). */
  baseUrl: string;
  hubspot: { portalId: number; appId: number; users: Array<{ userId: number; userEmail: string; firstName: string; lastName: string; installer: boolean }> };
  quickbooks: { realmId: string };
  /** The demo account's deal pipelines, each with its stages in order. */
  pipelines: Array<{ id: string; label: string; stages: Array<{ id: string; label: string; isClosed: boolean }> }>;
}
