import { decodeSnapshot, encodeSnapshot, refill, type Snapshot } from '../../common/snapshot';
import type { ObjectTypeName } from './object-types';

/**
 * HubSpot-defined association types between the simulated objects. Ids from HubSpot's associations v4 guide and
 * @hubspot/api-client's AssociationTypes enum (fixture association_type_ids_hubspot_defined); each direction has
 * its own id. `name` is the v3 `type` string (a labelled "Primary" type keeps the plain name and the unlabelled
 * one is `..._unlabeled`, as HubSpot reports them since association labels arrived).
 */
export interface AssociationType {
  from: ObjectTypeName;
  to: ObjectTypeName;
  typeId: number;
  inverseTypeId: number;
  label: string | null;
  name: string;
  /** The type `PUT .../associations/default/...` creates. */
  isDefault: boolean;
}

export const HUBSPOT_DEFINED = 'HUBSPOT_DEFINED';

type Pair = [from: ObjectTypeName, to: ObjectTypeName, typeId: number, inverseTypeId: number, label: string | null, name: string, inverseName: string];

// The unlabelled pair of each relationship is its default; a primary pair (label "Primary") sits beside it.
const DEFAULT_PAIRS: Pair[] = [
  ['deals', 'line_items', 19, 20, null, 'deal_to_line_item', 'line_item_to_deal'],
  ['deals', 'contacts', 3, 4, null, 'deal_to_contact', 'contact_to_deal'],
  ['deals', 'companies', 341, 342, null, 'deal_to_company_unlabeled', 'company_to_deal_unlabeled'],
  ['contacts', 'companies', 279, 280, null, 'contact_to_company_unlabeled', 'company_to_contact_unlabeled'],
  ['notes', 'deals', 214, 213, null, 'note_to_deal', 'deal_to_note'],
  ['notes', 'contacts', 202, 201, null, 'note_to_contact', 'contact_to_note'],
  ['notes', 'companies', 190, 189, null, 'note_to_company', 'company_to_note'],
  ['tasks', 'deals', 216, 215, null, 'task_to_deal', 'deal_to_task'],
  ['tasks', 'contacts', 204, 203, null, 'task_to_contact', 'contact_to_task'],
  ['tasks', 'companies', 192, 191, null, 'task_to_company', 'company_to_task'],
];
const PRIMARY_PAIRS: Pair[] = [
  ['deals', 'companies', 5, 6, 'Primary', 'deal_to_company', 'company_to_deal'],
  ['contacts', 'companies', 1, 2, 'Primary', 'contact_to_company', 'company_to_contact'],
];

export const ASSOCIATION_TYPES: readonly AssociationType[] = [...DEFAULT_PAIRS, ...PRIMARY_PAIRS].flatMap(
  ([from, to, typeId, inverseTypeId, label, name, inverseName]) => {
    const isDefault = label === null;
    return [
      { from, to, typeId, inverseTypeId, label, name, isDefault },
      { from: to, to: from, typeId: inverseTypeId, inverseTypeId: typeId, label, name: inverseName, isDefault },
    ];
  },
);

export function findAssociationType(from: ObjectTypeName, typeId: number): AssociationType | undefined {
  return ASSOCIATION_TYPES.find((t) => t.from === from && t.typeId === typeId);
}

export function defaultAssociationType(from: ObjectTypeName, to: ObjectTypeName): AssociationType | undefined {
  return ASSOCIATION_TYPES.find((t) => t.from === from && t.to === to && t.isDefault);
}

export interface Associated {
  toId: string;
  typeIds: number[];
}

/** Links between objects of one account. Every link is stored in both directions with its inverse type id. */
export class AssociationStore {
  // key `${fromType}:${fromId}:${toType}` -> toId -> type ids
  private readonly links = new Map<string, Map<string, Set<number>>>();

  /** Every link as JSON data (HubSpotAccount.exportState). */
  exportState(): Snapshot {
    return encodeSnapshot(this.links);
  }

  importState(state: Snapshot): void {
    refill(this.links, decodeSnapshot(state));
  }

  add(type: AssociationType, fromId: string, toId: string): void {
    addTypeId(this.edge(type.from, fromId, type.to), toId, type.typeId);
    addTypeId(this.edge(type.to, toId, type.from), fromId, type.inverseTypeId);
  }

  /** Removes every link (of any type) between two objects, both directions. */
  removeAll(from: ObjectTypeName, fromId: string, to: ObjectTypeName, toId: string): void {
    this.edge(from, fromId, to).delete(toId);
    this.edge(to, toId, from).delete(fromId);
  }

  /** Removes every link of an object, both directions (the object is gone for good). */
  removeObject(type: ObjectTypeName, id: string): void {
    const prefix = `${type}:${id}:`;
    for (const [key, edges] of [...this.links]) {
      if (!key.startsWith(prefix)) continue;
      const to = key.slice(prefix.length) as ObjectTypeName;
      for (const toId of edges.keys()) this.links.get(`${to}:${toId}:${type}`)?.delete(id);
      this.links.delete(key);
    }
  }

  list(from: ObjectTypeName, fromId: string, to: ObjectTypeName): Associated[] {
    const edges = this.links.get(`${from}:${fromId}:${to}`);
    if (!edges) return [];
    return [...edges.entries()]
      .filter(([, types]) => types.size > 0)
      .map(([toId, types]) => ({ toId, typeIds: [...types].sort((a, b) => a - b) }))
      .sort((a, b) => compareIds(a.toId, b.toId));
  }

  private edge(from: ObjectTypeName, fromId: string, to: ObjectTypeName): Map<string, Set<number>> {
    const key = `${from}:${fromId}:${to}`;
    let edges = this.links.get(key);
    if (!edges) {
      edges = new Map();
      this.links.set(key, edges);
    }
    return edges;
  }
}

function addTypeId(edges: Map<string, Set<number>>, id: string, typeId: number): void {
  const types = edges.get(id) ?? new Set<number>();
  types.add(typeId);
  edges.set(id, types);
}

/** Object ids are numeric strings; order them as numbers. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
