/** MultiStepLR, stepped once after each epoch: the lr in force during `epoch` (0-based). */
export function lrAt(schedule: { lr: number; milestones: number[]; gamma: number }, epoch: number): number {
  const passed = schedule.milestones.filter((m) => m <= epoch).length;
  return schedule.lr * schedule.gamma ** passed;
}
