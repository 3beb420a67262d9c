// Settings of the branching service read from the environment (shared ones via @strata/shared).
import { readEnv } from '@strata/shared';
import { z } from 'zod';
import { participantsFromEnv, type Participant } from './participants/registry.ts';

export interface BranchingConfig {
  participants: Participant[];
  /** STRATA_MAX_PAGE_SIZE */
  maxPageSize: number;
  /** STRATA_BRANCH_MERGE_STALE_SECONDS: a MERGING branch untouched this long may be merged again */
  mergeStaleSeconds: number;
}

/** Longer than the slowest participant merge may take (participants/client.ts: 600 s). */
export const DEFAULT_MERGE_STALE_SECONDS = 900;

const Seconds = z.coerce.number().int().positive();

export function branchingConfig(env: NodeJS.ProcessEnv): BranchingConfig {
  const raw = env.STRATA_BRANCH_MERGE_STALE_SECONDS?.trim();
  const stale = raw ? Seconds.safeParse(raw) : { success: true as const, data: DEFAULT_MERGE_STALE_SECONDS };
  if (!stale.success) throw new Error(`STRATA_BRANCH_MERGE_STALE_SECONDS must be a positive number of seconds, got "${raw}"`);
  return { participants: participantsFromEnv(env), maxPageSize: readEnv(env).STRATA_MAX_PAGE_SIZE, mergeStaleSeconds: stale.data };
}
