import type { CrmObject, World } from './sim';
import { money } from './format';

/** A deal deleted on this page: HubSpot no longer lists it, so the page keeps its id (and name) to restore it. */
export interface DeletedDealEntry {
  id: string;
  name: string;
}

/**
 * The demo account's deals, column by stage of each pipeline, as HubSpot's deals board shows them, then the deals
 * deleted on this page (HubSpot's recycle bin), each with its restore.
 */
export function DealsBoard({
  deals,
  pipelines,
  selected,
  onSelect,
  deleted,
  restoring,
  onRestore,
}: {
  deals: CrmObject[];
  pipelines: World['pipelines'];
  selected?: string;
  onSelect(id: string): void;
  deleted: DeletedDealEntry[];
  restoring?: string;
  onRestore(id: string): void;
}) {
  return (
    <div className="wb-board">
      {pipelines.map((pipeline) => {
        const inPipeline = deals.filter((d) => (d.properties.pipeline ?? 'default') === pipeline.id);
        if (inPipeline.length === 0) return null;
        return (
          <div key={pipeline.id} className="wb-pipeline">
            <h3>{pipeline.label}</h3>
            {pipeline.stages.map((stage) => {
              const here = inPipeline.filter((d) => d.properties.dealstage === stage.id);
              return (
                <div key={stage.id} className="wb-stage" data-stage={stage.id}>
                  <div className="wb-stage-name">
                    {stage.label} <span className="wb-count">{here.length}</span>
                  </div>
                  <ul>
                    {here.map((deal) => (
                      <li key={deal.id}>
                        <button
                          className={deal.id === selected ? 'wb-deal wb-deal-on' : 'wb-deal'}
                          aria-current={deal.id === selected ? 'true' : undefined}
                          onClick={() => onSelect(deal.id)}
                        >
                          <span className="wb-deal-name">{deal.properties.dealname ?? `Deal ${deal.id}`}</span>
                          <span className="wb-deal-amount">{money(deal.properties.amount)}</span>
                          {deal.properties.dealbooks_invoice_status ? <span className="wb-deal-status">{deal.properties.dealbooks_invoice_status}</span> : null}
                        </button>
                      </li>
                    ))}
                  </ul>
                </div>
              );
            })}
          </div>
        );
      })}
      {deleted.length > 0 ? (
        <div className="wb-recycle" aria-label="Recently deleted">
          <h3>Recently deleted</h3>
          <ul>
            {deleted.map((entry) => (
              <li key={entry.id}>
                <button
                  className={entry.id === selected ? 'wb-deal wb-deal-deleted wb-deal-on' : 'wb-deal wb-deal-deleted'}
                  aria-current={entry.id === selected ? 'true' : undefined}
                  onClick={() => onSelect(entry.id)}
                >
                  <span className="wb-deal-name">{entry.name}</span>
                </button>
                <button className="wb-restore" aria-label={`Restore ${entry.name}`} disabled={restoring !== undefined} onClick={() => onRestore(entry.id)}>
                  {restoring === entry.id ? 'Restoring…' : 'Restore'}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
