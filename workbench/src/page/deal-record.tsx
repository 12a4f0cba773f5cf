import { useEffect, useRef, useState } from 'react';
import type { CrmObject, World, hubspotOf } from './sim';
import { money, when } from './format';

/** The properties HubSpot users see on a deal, then what DealBooks writes back to it. */
const STANDARD = ['dealname', 'amount', 'dealstage', 'pipeline', 'closedate', 'hubspot_owner_id'];
const MONEY = new Set(['amount', 'dealbooks_invoice_total', 'dealbooks_invoice_balance', 'dealbooks_amount_paid', 'dealbooks_last_payment_amount']);

interface Timeline {
  notes: CrmObject[];
  tasks: CrmObject[];
}

/**
 * The selected deal's record as HubSpot shows it: its properties (those DealBooks writes back included), the stage
 * buttons a user presses to move it, the delete and merge a user may do, and its timeline (notes and tasks DealBooks
 * created).
 */
export function DealRecord({
  hubspot,
  dealId,
  pipelines,
  tick,
  others,
  onEdited,
  onDeleted,
  onMerged,
}: {
  hubspot: ReturnType<typeof hubspotOf>;
  dealId: string;
  pipelines: World['pipelines'];
  tick: number;
  /** The account's other deals, those this one may be merged with. */
  others: CrmObject[];
  onEdited(changed: Record<string, string>): void;
  onDeleted(deal: CrmObject): void;
  /** The deal that survived the merge (HubSpot may give it a new id). */
  onMerged(survivorId: string): void;
}) {
  const [deal, setDeal] = useState<CrmObject>();
  const [timeline, setTimeline] = useState<Timeline>({ notes: [], tasks: [] });
  const [moving, setMoving] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const [mergeWith, setMergeWith] = useState('');
  // Deleting and merging cannot be undone from the record (a merge not at all): each asks once more, inline.
  const [confirming, setConfirming] = useState<'delete' | 'merge'>();
  // A choice made for another deal is not carried over when the record shows a different one.
  useEffect(() => {
    setMergeWith('');
    setConfirming(undefined);
    setProblem(undefined);
  }, [dealId]);

  // Reads are not cancelled by the next round: a slow one still shows unless a newer one already has, and none shows
  // once another deal is open.
  const shownDeal = useRef(dealId);
  shownDeal.current = dealId;
  const started = useRef(0);
  const shownRead = useRef(0);
  useEffect(() => {
    const read = ++started.current;
    const forDeal = dealId;
    const stale = () => shownDeal.current !== forDeal || read < shownRead.current;
    (async () => {
      const deal = await hubspot.get('deals', dealId);
      const ids = (key: string) => new Set((deal.associations?.[key]?.results ?? []).map((r) => r.id));
      const [noteIds, taskIds] = [ids('notes'), ids('tasks')];
      const [notes, tasks] = await Promise.all([
        noteIds.size ? hubspot.list('notes').then((all) => all.filter((n) => noteIds.has(n.id))) : [],
        taskIds.size ? hubspot.list('tasks').then((all) => all.filter((t) => taskIds.has(t.id))) : [],
      ]);
      if (stale()) return;
      shownRead.current = read;
      setDeal(deal);
      const newest = (a: CrmObject, b: CrmObject) => Number(new Date(b.properties.hs_timestamp ?? 0)) - Number(new Date(a.properties.hs_timestamp ?? 0));
      setTimeline({ notes: [...notes].sort(newest), tasks: [...tasks].sort(newest) });
    })().catch((err: Error) => {
      if (!stale()) setProblem(err.message);
    });
  }, [hubspot, dealId, tick]);

  if (!deal || deal.id !== dealId) return <div className="wb-record-body">{problem ? <p role="alert">{problem}</p> : <p>Opening the deal…</p>}</div>;
  const pipeline = pipelines.find((p) => p.id === (deal.properties.pipeline ?? 'default'));
  const stageLabel = (id: string | null | undefined) => pipeline?.stages.find((s) => s.id === id)?.label ?? id ?? '';
  const move = async (stage: string) => {
    setMoving(stage);
    setProblem(undefined);
    try {
      await hubspot.updateDeal(dealId, { dealstage: stage });
      onEdited({ dealstage: stage });
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    } finally {
      setMoving(undefined);
    }
  };
  const lifecycle = async (action: 'delete' | 'merge') => {
    setMoving(action);
    setProblem(undefined);
    try {
      if (action === 'delete') {
        await hubspot.deleteDeal(dealId);
        onDeleted(deal);
      } else {
        const survivor = await hubspot.mergeDeals(dealId, mergeWith);
        onMerged(survivor.id);
      }
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    } finally {
      setMoving(undefined);
      setConfirming(undefined);
    }
  };
  const mergeName = others.find((d) => d.id === mergeWith)?.properties.dealname ?? `deal ${mergeWith}`;
  const shown = (name: string) => {
    const value = deal.properties[name];
    if (name === 'dealstage') return stageLabel(value);
    if (name === 'pipeline') return pipeline?.label ?? value ?? '';
    if (MONEY.has(name)) return money(value);
    return value ?? '';
  };
  const dealbooks = Object.keys(deal.properties)
    .filter((name) => name.startsWith('dealbooks_') && deal.properties[name] !== null && deal.properties[name] !== '')
    .sort();

  return (
    <div className="wb-record-body">
      <h2 className="wb-deal-title">{deal.properties.dealname}</h2>
      <div className="wb-stage-now">
        Stage: <strong data-testid="deal-stage">{stageLabel(deal.properties.dealstage)}</strong>
      </div>
      <div className="wb-move" role="group" aria-label="Move to stage">
        {pipeline?.stages.map((stage) => (
          <button key={stage.id} disabled={stage.id === deal.properties.dealstage || moving !== undefined} onClick={() => move(stage.id)}>
            {moving === stage.id ? 'Moving…' : `Move to ${stage.label}`}
          </button>
        ))}
      </div>
      <div className="wb-lifecycle" role="group" aria-label="Delete or merge">
        <button className="wb-danger" disabled={moving !== undefined || confirming !== undefined} onClick={() => setConfirming('delete')}>
          Delete deal
        </button>
        <label>
          Merge with…
          <select value={mergeWith} disabled={moving !== undefined || confirming !== undefined} onChange={(event) => setMergeWith(event.target.value)}>
            <option value="">(pick a deal)</option>
            {others.map((other) => (
              <option key={other.id} value={other.id}>
                {other.properties.dealname ?? `Deal ${other.id}`}
              </option>
            ))}
          </select>
        </label>
        <button disabled={!mergeWith || moving !== undefined || confirming !== undefined} onClick={() => setConfirming('merge')}>
          Merge
        </button>
      </div>
      {confirming ? (
        <div className="wb-confirm" role="alertdialog" aria-label={confirming === 'delete' ? 'Confirm delete' : 'Confirm merge'}>
          <span>
            {confirming === 'delete'
              ? `Delete "${deal.properties.dealname}"? It goes to HubSpot's recycle bin and can be restored.`
              : `Merge "${mergeName}" into "${deal.properties.dealname}"? This deal is the primary; a merge cannot be undone.`}
          </span>
          <button className="wb-danger" disabled={moving !== undefined} onClick={() => lifecycle(confirming)}>
            {moving === confirming ? (confirming === 'delete' ? 'Deleting…' : 'Merging…') : confirming === 'delete' ? 'Yes, delete' : 'Yes, merge'}
          </button>
          <button disabled={moving !== undefined} onClick={() => setConfirming(undefined)}>
            Cancel
          </button>
        </div>
      ) : null}
      {problem ? <p className="wb-problem" role="alert">{problem}</p> : null}
      <h3>About this deal</h3>
      <dl className="wb-properties">
        {STANDARD.map((name) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>{shown(name)}</dd>
          </div>
        ))}
      </dl>
      <h3>Written by DealBooks</h3>
      {dealbooks.length === 0 ? (
        <p className="wb-hint">Nothing yet.</p>
      ) : (
        <dl className="wb-properties" aria-label="DealBooks properties">
          {dealbooks.map((name) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd data-property={name}>{shown(name)}</dd>
            </div>
          ))}
        </dl>
      )}
      <h3>Timeline</h3>
      {timeline.notes.length + timeline.tasks.length === 0 ? <p className="wb-hint">No notes or tasks.</p> : null}
      <ul className="wb-timeline" aria-label="Timeline">
        {timeline.tasks.map((task) => (
          <li key={`t${task.id}`} className="wb-task">
            <span className="wb-when">{when(task.properties.hs_timestamp)}</span> Task: {task.properties.hs_task_subject} ({task.properties.hs_task_status})
          </li>
        ))}
        {timeline.notes.map((note) => (
          <li key={`n${note.id}`} className="wb-note">
            <span className="wb-when">{when(note.properties.hs_timestamp)}</span> {stripHtml(note.properties.hs_note_body ?? '')}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Note bodies are HTML in HubSpot; the workbench shows their words only (never inserts their markup). */
function stripHtml(html: string): string {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  return doc.body.textContent ?? '';
}

/**
 * A deal the person deleted on this page: HubSpot reads it as not found, so the record shows only that, and the
 * restore a user may do from the recycle bin.
 */
export function DeletedDeal({ name, restoring, problem, onRestore }: { name: string; restoring: boolean; problem?: string; onRestore(): void }) {
  return (
    <div className="wb-record-body" data-testid="deleted-deal">
      <h2 className="wb-deal-title">{name}</h2>
      <p className="wb-deleted">This deal was deleted. It is in HubSpot's recycle bin.</p>
      <div className="wb-lifecycle">
        <button disabled={restoring} onClick={onRestore}>
          {restoring ? 'Restoring…' : 'Restore deal'}
        </button>
      </div>
      {problem ? <p className="wb-problem" role="alert">{problem}</p> : null}
    </div>
  );
}
