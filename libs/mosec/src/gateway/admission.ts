import { Priority, PRIORITY_NAMES } from '../engine/task-queue';

/** The header a request's priority comes in. */
export const PRIORITY_HEADER = 'x-mosec-priority';

export type PriorityName = (typeof PRIORITY_NAMES)[number];

/** The level of `high`, `normal` or `low` (normal when absent); undefined for anything else. */
export function priorityLevel(value: string | string[] | undefined): number | undefined {
  if (value === undefined) return Priority.NORMAL;
  const level = PRIORITY_NAMES.indexOf(String(value).trim().toLowerCase() as PriorityName);
  return level >= 0 ? level : undefined;
}
