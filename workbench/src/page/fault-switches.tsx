import { useEffect, useRef, useState } from 'react';
import type { quickbooksOf } from './sim';

/**
 * QuickBooks' bad days as switches: "down" answers every API call 503 (Intuit's outage answer), "throttled" lowers
 * the company's request limit to 5 a minute so the simulator answers QBO's own 429 fault. DealBooks is expected to
 * delay its work and say so on the card, never to lose or double it; switching off lets it catch up.
 * Switching "down" off clears every fault rule of the QuickBooks simulator (its control API removes them all at
 * once), including any set with curl meanwhile.
 */
const DOWN = { path: '/v3/company/', status: 503, times: 1_000_000 };
const THROTTLED_PER_MINUTE = 5;
const NORMAL_PER_MINUTE = 500;

export function FaultSwitches({ quickbooks }: { quickbooks: ReturnType<typeof quickbooksOf> }) {
  const [down, setDown] = useState(false);
  const [throttled, setThrottled] = useState(false);
  const [problem, setProblem] = useState<string>();

  // What the simulator has now (set by an earlier visit, or by its control API), unless a switch was already moved.
  const touched = useRef(false);
  useEffect(() => {
    quickbooks.faults().then((faults) => {
      if (!touched.current) setDown(faults.some((f) => f.path === DOWN.path && f.status === DOWN.status));
    }, () => undefined);
    quickbooks.limits().then((limits) => {
      if (!touched.current) setThrottled(limits.perMinute !== undefined && limits.perMinute <= THROTTLED_PER_MINUTE);
    }, () => undefined);
  }, [quickbooks]);

  // A switch moves at once and goes back if the simulator refused the change.
  const flip = async (on: boolean, set: (on: boolean) => void, change: () => Promise<unknown>) => {
    touched.current = true;
    setProblem(undefined);
    set(on);
    try {
      await change();
    } catch (err) {
      set(!on);
      setProblem(err instanceof Error ? err.message : String(err));
    }
  };
  const switchDown = (on: boolean) => flip(on, setDown, () => (on ? quickbooks.addFault(DOWN) : quickbooks.clearFaults()));
  const switchThrottled = (on: boolean) => flip(on, setThrottled, () => quickbooks.setLimits({ perMinute: on ? THROTTLED_PER_MINUTE : NORMAL_PER_MINUTE }));

  return (
    <div className="wb-faults" role="group" aria-label="QuickBooks faults">
      <label>
        <input type="checkbox" checked={down} onChange={(e) => switchDown(e.target.checked)} /> QuickBooks down
      </label>
      <label>
        <input type="checkbox" checked={throttled} onChange={(e) => switchThrottled(e.target.checked)} /> QuickBooks throttled
      </label>
      {problem ? <span role="alert">{problem}</span> : null}
    </div>
  );
}
