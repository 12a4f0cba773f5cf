import { useEffect, useState } from 'react';
import type { quickbooksOf } from './sim';

/**
 * QuickBooks' bad days as switches: "down" answers every API call 503 (Intuit's outage answer), "throttled" lowers
 * the company's request limit to 5 a minute so the simulator answers QBO's own 429 fault. DealBooks is expected to
 * delay its work and say so on the card, never to lose or double it; switching off lets it catch up.
 */
const DOWN = { path: '/v3/company/', status: 503, times: 1_000_000 };
const THROTTLED_PER_MINUTE = 5;
const NORMAL_PER_MINUTE = 500;

export function FaultSwitches({ quickbooks }: { quickbooks: ReturnType<typeof quickbooksOf> }) {
  const [down, setDown] = useState(false);
  const [throttled, setThrottled] = useState(false);
  const [problem, setProblem] = useState<string>();

  useEffect(() => {
    quickbooks.faults().then((faults) => setDown(faults.some((f) => f.path === DOWN.path && f.status === DOWN.status)), () => undefined);
    quickbooks.limits().then((limits) => setThrottled(limits.perMinute !== undefined && limits.perMinute <= THROTTLED_PER_MINUTE), () => undefined);
  }, [quickbooks]);

  const switchDown = async (on: boolean) => {
    setProblem(undefined);
    try {
      if (on) await quickbooks.addFault(DOWN);
      else await quickbooks.clearFaults();
      setDown(on);
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    }
  };
  const switchThrottled = async (on: boolean) => {
    setProblem(undefined);
    try {
      await quickbooks.setLimits({ perMinute: on ? THROTTLED_PER_MINUTE : NORMAL_PER_MINUTE });
      setThrottled(on);
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    }
  };

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
