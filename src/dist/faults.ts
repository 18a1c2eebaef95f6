/**
 * Test-only fault injection, so that recovery can be checked end to end.
 * A plan is `KIND@PHASE:STEP` (e.g. `exit@D:3`), with a trailing `!` to fire
 * on every attempt instead of the first only. The replica that holds shard 0
 * of that phase at that step then
 *   throw — throws an error,   exit — ends its thread,   hang — never answers,
 *   nan — returns a gradient poisoned with NaN.
 * Set through the DGAN_TEST_FAULT environment variable of `dgan train`.
 */
import { UserError } from '../errors.js';
import type { PhaseTask } from './messages.js';

const KINDS = ['throw', 'exit', 'hang', 'nan'] as const;
const PLAN = /^(throw|exit|hang|nan)@([DG]):(\d+)(!?)$/;

export function checkFaultPlan(plan: string | undefined): string | undefined {
  if (plan !== undefined && !PLAN.test(plan)) {
    throw new UserError(`DGAN_TEST_FAULT must look like KIND@PHASE:STEP[!] with KIND one of ${KINDS.join('|')} and PHASE D or G, got "${plan}"`);
  }
  return plan;
}

/** Acts out the plan if it targets this task; returns true when the gradient must be poisoned. */
export function injectFault(plan: string | undefined, task: PhaseTask): boolean {
  const m = plan?.match(PLAN);
  if (!m || task.phase !== m[2] || task.step !== Number(m[3])) return false;
  if ((task.attempt !== 0 && !m[4]) || !task.shards.some((s) => s.index === 0)) return false;
  if (m[1] === 'throw') throw new Error(`injected fault at ${m[2]}:${m[3]}`);
  if (m[1] === 'exit') process.exit(3);
  if (m[1] === 'hang') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // blocks this thread for good
  return m[1] === 'nan';
}
