/** A HubSpot user who can own records (`GET /crm/v3/owners`). */
export interface Owner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
  createdAtMs: number;
}

export function ownerToWire(o: Owner): object {
  const at = new Date(o.createdAtMs).toISOString();
  return {
    id: o.id,
    email: o.email,
    firstName: o.firstName,
    lastName: o.lastName,
    userId: o.userId,
    type: 'PERSON',
    teams: [],
    archived: false,
    createdAt: at,
    updatedAt: at,
  };
}
