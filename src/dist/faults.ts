/**
 * Test-only fault injection, so that recovery can be checked end to end.
 * A plan is `KIND@PHASE:STEP` (e.g. `exit@D:3`): the replica that holds shard 0
 * of that phase at that step, on the first attempt only, then
 *   throw — throws an error,   exit — ends its thread,   hang — never answers.
 * Set through the DGAN_TEST_FAULT environment variable of `dgan train`.
 */
import { UserError } from '../errors.js';
import type { PhaseTask } from './messages.js';

const KINDS = ['throw', 'exit', 'hang'] as const;
const PLAN = /^(throw|exit|hang)@([DG]):(\d+)$/;

export function checkFaultPlan(plan: string | undefined): string | undefined {
  if (plan !== undefined && !PLAN.test(plan)) {
    throw new UserError(`DGAN_TEST_FAULT must look like KIND@PHASE:STEP with KIND one of ${KINDS.join('|')} and PHASE D or G, got "${plan}"`);
  }
  return plan;
}

export function injectFault(plan: string | undefined, task: PhaseTask): void {
  const m = plan?.match(PLAN);
  if (!m || task.attempt !== 0 || task.phase !== m[2] || task.step !== Number(m[3])) return;
  if (!task.shards.some((s) => s.index === 0)) return;
  if (m[1] === 'throw') throw new Error(`injected fault at ${m[2]}:${m[3]}`);
  if (m[1] === 'exit') process.exit(3);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // hang: blocks this thread for good
}
