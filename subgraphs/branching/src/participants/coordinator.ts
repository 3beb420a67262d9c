// Runs one branch operation across every participant and combines the answers.
// - diff/validate ask all participants at once and concatenate (participant order, each sorted).
// - merge/rebase: with one participant (today: inventory) its single transaction makes the merge
//   atomic. With several, a check phase first asks every participant for its conflicts and
//   refuses (CONFLICT, nothing written anywhere) while one lacks a resolution; then each commits
//   in turn. A failure after some participants committed is reported (`merged_participants`);
//   participant merges are idempotent (they re-apply the branch's latest values), so retrying the
//   merge completes it. A true two-phase commit needs prepare/commit endpoints in the protocol:
//   it replaces `commitPhase` below without touching the resolvers.
import { errors, StrataError, type Logger, type RequestContext } from '@strata/shared';
import { ParticipantClient, type BranchRef, type Conflict, type NodeChange, type Resolution } from './client.ts';
import type { Participant } from './registry.ts';

export interface MergeOutcome {
  /** the latest commit instant of the participants */
  mergedAt: Date;
  /** rows written per participant */
  merged: Record<string, number>;
}

export interface RebaseOutcome {
  /** the new branched_from (latest of the participants' rebase instants) */
  branchedFrom: Date;
}

export interface Coordinator {
  diff(ref: BranchRef, kinds?: string[]): Promise<NodeChange[]>;
  validate(ref: BranchRef): Promise<Conflict[]>;
  merge(ref: BranchRef, resolutions: Resolution[]): Promise<MergeOutcome>;
  rebase(ref: BranchRef, resolutions: Resolution[]): Promise<RebaseOutcome>;
}

/** CONFLICT listing the conflicts that have no resolution (same shape as a participant's refusal). */
export function unresolvedConflicts(conflicts: Conflict[], resolutions: Resolution[]): StrataError | null {
  const chosen = new Set(resolutions.map((r) => r.conflict_id));
  const open = conflicts.filter((c) => !chosen.has(c.id));
  if (!open.length) return null;
  return errors.conflict(`Branch has ${open.length} unresolved conflict(s)`, { conflicts: open.map((c) => c.id) });
}

export function createCoordinator(opts: { participants: Participant[]; secret: string; logger: Logger; ctx: Pick<RequestContext, 'requestId' | 'user'> }): Coordinator {
  const { participants, logger } = opts;
  const client = new ParticipantClient(opts.secret, opts.ctx, logger);

  async function validate(ref: BranchRef): Promise<Conflict[]> {
    const parts = await Promise.all(participants.map((p) => client.validate(p, ref)));
    return parts.flatMap((p) => p.conflicts);
  }

  /** Several participants: refuse before anyone writes while a conflict has no resolution. */
  async function checkPhase(ref: BranchRef, resolutions: Resolution[]): Promise<void> {
    if (participants.length < 2) return; // the participant's own transaction checks and refuses atomically
    const refusal = unresolvedConflicts(await validate(ref), resolutions);
    if (refusal) throw refusal;
  }

  async function commitPhase<T>(op: 'merge' | 'rebase', run: (p: Participant) => Promise<T>): Promise<Map<string, T>> {
    const done = new Map<string, T>();
    for (const p of participants) {
      try {
        done.set(p.name, await run(p));
      } catch (err) {
        if (!done.size) throw err;
        const committed = [...done.keys()];
        logger.error({ err, failed: p.name, committed, op }, `partial ${op}: some participants committed; retry the ${op} to complete it`);
        if (!(err instanceof StrataError) || err.code === 'INTERNAL_SERVER_ERROR') throw err; // details are in the log
        const { code: _code, ...details } = err.extensions;
        throw new StrataError(err.code, `${err.message} (already applied by ${committed.join(', ')}; retry the ${op} to complete it)`, {
          ...details,
          [`${op}d_participants`]: committed,
        });
      }
    }
    return done;
  }

  return {
    async diff(ref, kinds) {
      const parts = await Promise.all(participants.map((p) => client.diff(p, ref, kinds)));
      return parts.flatMap((p) => p.nodes);
    },
    validate,
    async merge(ref, resolutions) {
      await checkPhase(ref, resolutions);
      const done = await commitPhase('merge', (p) => client.merge(p, ref, resolutions));
      let mergedAt = new Date(0);
      const merged: Record<string, number> = {};
      for (const [name, r] of done) {
        merged[name] = r.merged;
        if (new Date(r.merged_at) > mergedAt) mergedAt = new Date(r.merged_at);
      }
      return { mergedAt, merged };
    },
    async rebase(ref, resolutions) {
      await checkPhase(ref, resolutions);
      const done = await commitPhase('rebase', (p) => client.rebase(p, ref, resolutions));
      let branchedFrom = new Date(ref.branched_from);
      for (const r of done.values()) if (new Date(r.branched_from) > branchedFrom) branchedFrom = new Date(r.branched_from);
      return { branchedFrom };
    },
  };
}
