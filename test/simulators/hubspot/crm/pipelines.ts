import { notFound } from './errors';

import { refill } from '../../common/snapshot';

export interface Stage {
  id: string;
  label: string;
  displayOrder: number;
  isClosed: boolean;
  /** "1.0" for won, "0.0" for lost: kept as HubSpot's text. */
  probability: string;
}

export interface Pipeline {
  id: string;
  label: string;
  displayOrder: number;
  stages: Stage[];
  createdAtMs: number;
  updatedAtMs: number;
}

/**
 * HubSpot's default deal pipeline (id `default`). The stage ids come from third-party sources, not from HubSpot, so
 * they are unconfirmed. Probabilities of the open stages follow HubSpot's defaults.
 */
export const DEFAULT_DEAL_STAGES: readonly Stage[] = [
  { id: 'appointmentscheduled', label: 'Appointment Scheduled', displayOrder: 0, isClosed: false, probability: '0.2' },
  { id: 'qualifiedtobuy', label: 'Qualified To Buy', displayOrder: 1, isClosed: false, probability: '0.4' },
  { id: 'presentationscheduled', label: 'Presentation Scheduled', displayOrder: 2, isClosed: false, probability: '0.6' },
  { id: 'decisionmakerboughtin', label: 'Decision Maker Bought-In', displayOrder: 3, isClosed: false, probability: '0.8' },
  { id: 'contractsent', label: 'Contract Sent', displayOrder: 4, isClosed: false, probability: '0.9' },
  { id: 'closedwon', label: 'Closed Won', displayOrder: 5, isClosed: true, probability: '1.0' },
  { id: 'closedlost', label: 'Closed Lost', displayOrder: 6, isClosed: true, probability: '0.0' },
];

/** An account's deal pipelines. Every account has `default`; seeds add more. */
export class DealPipelines {
  private readonly pipelines = new Map<string, Pipeline>();

  constructor(private readonly nowMs: () => number) {
    this.add({ id: 'default', label: 'Sales Pipeline', stages: DEFAULT_DEAL_STAGES.map((s) => ({ ...s })) });
  }

  add(input: { id: string; label: string; stages: Stage[] }): Pipeline {
    const now = this.nowMs();
    const pipeline: Pipeline = { ...input, displayOrder: this.pipelines.size, createdAtMs: now, updatedAtMs: now };
    this.pipelines.set(pipeline.id, pipeline);
    return pipeline;
  }

  list(): Pipeline[] {
    return [...this.pipelines.values()];
  }

  /** Replaces every pipeline with saved ones (HubSpotAccount.importState). */
  restore(pipelines: Pipeline[]): void {
    refill(this.pipelines, new Map(pipelines.map((p) => [p.id, p])));
  }

  find(id: string): Pipeline | undefined {
    return this.pipelines.get(id);
  }

  get(id: string): Pipeline {
    const found = this.pipelines.get(id);
    if (!found) throw notFound(`Unable to find pipeline ${id}`);
    return found;
  }
}

/** The wire form of `GET /crm/v3/pipelines/deals` results (metadata values are strings, like HubSpot's). */
export function pipelineToWire(p: Pipeline): object {
  return {
    id: p.id,
    label: p.label,
    displayOrder: p.displayOrder,
    archived: false,
    createdAt: new Date(p.createdAtMs).toISOString(),
    updatedAt: new Date(p.updatedAtMs).toISOString(),
    stages: p.stages.map((s) => stageToWire(p, s)),
  };
}

export function stageToWire(p: Pipeline, s: Stage): object {
  return {
    id: s.id,
    label: s.label,
    displayOrder: s.displayOrder,
    archived: false,
    createdAt: new Date(p.createdAtMs).toISOString(),
    updatedAt: new Date(p.updatedAtMs).toISOString(),
    metadata: { isClosed: String(s.isClosed), probability: s.probability },
    writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
  };
}
