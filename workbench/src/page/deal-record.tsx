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
 * buttons a user presses to move it, and its timeline (notes and tasks DealBooks created).
 */
export function DealRecord({ hubspot, dealId, pipelines, tick, onEdited }: { hubspot: ReturnType<typeof hubspotOf>; dealId: string; pipelines: World['pipelines']; tick: number; onEdited(changed: Record<string, string>): void }) {
  const [deal, setDeal] = useState<CrmObject>();
  const [timeline, setTimeline] = useState<Timeline>({ notes: [], tasks: [] });
  const [moving, setMoving] = useState<string>();
  const [problem, setProblem] = useState<string>();

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
