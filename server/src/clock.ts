/**
 * DealBooks' idea of "now", injectable so tests move time instead of sleeping (token expiry, the 10-minute OAuth
 * state, HubSpot's 5-minute signature window). Production uses the system clock.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that runs `offsetMs` ahead of (or behind) the system clock: worker processes in tests share a moved time. */
export function offsetClock(offsetMs: number): Clock {
  return { now: () => new Date(Date.now() + offsetMs) };
}
