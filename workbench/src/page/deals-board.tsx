import type { CrmObject, World } from './sim';
import { money } from './format';

/** The demo account's deals, column by stage of each pipeline, as HubSpot's deals board shows them. */
export function DealsBoard({ deals, pipelines, selected, onSelect }: { deals: CrmObject[]; pipelines: World['pipelines']; selected?: string; onSelect(id: string): void }) {
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
    </div>
  );
}
