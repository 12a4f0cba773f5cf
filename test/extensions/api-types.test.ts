import type { DealSummary as ServerSummary } from '../../server/src/quote-to-cash/card-summary';
import type { Preview as ServerPreview } from '../../server/src/quote-to-cash/preview';
import type { createConnectUrl } from '../../server/src/connections/connect-quickbooks';
import type { ConnectUrl, DealSummary, Preview } from '../../extensions/src/shared/types';

/**
 * The extensions declare DealBooks' answers themselves (they are copied into HubSpot's project without the server);
 * these assignments make `npm run typecheck` fail the moment the server's answer no longer fits what the card reads.
 */
type Fits<Server extends Card, Card> = Server;
/** What a value becomes on the wire: JSON.stringify writes a Date as its ISO string. */
type Json<T> = T extends Date ? string : T extends Array<infer U> ? Array<Json<U>> : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
export type SummaryFits = Fits<Json<ServerSummary>, DealSummary>;
export type PreviewFits = Fits<Json<ServerPreview>, Preview>;
export type ConnectUrlFits = Fits<Json<Awaited<ReturnType<typeof createConnectUrl>>>, ConnectUrl>;

describe("The extensions' copy of DealBooks' answer types", () => {
  it('When the server changes an answer the card reads, then the typecheck fails (the check is the compile above)', () => {
    const summary: DealSummary = {} as ServerSummary;
    const preview: Preview = {} as ServerPreview;
    expect([summary, preview]).toHaveLength(2);
  });
});
