// Typed calls of the participant protocol (internal HTTP, signed for each participant).
// Answers are validated; participant errors keep their Strata code (CONFLICT stays CONFLICT).
import { z } from 'zod';
import { errors, InternalCallError, internalPost, isErrorCode, StrataError, type RequestContext } from '@strata/shared';
import type { Participant } from './registry.ts';

export const ConflictSchema = z.object({
  id: z.string(),
  kind: z.string(),
  node_id: z.string(),
  field: z.string(),
  type: z.string(),
  base: z.unknown().optional(),
  branch: z.unknown().optional(),
  main: z.unknown().optional(),
});
export type Conflict = z.infer<typeof ConflictSchema>;

export const NodeChangeSchema = z.object({
  kind: z.string(),
  id: z.string(),
  display: z.string(),
  action: z.enum(['ADDED', 'UPDATED', 'REMOVED']),
  fields: z.array(z.object({ name: z.string(), old: z.unknown().optional(), new: z.unknown().optional(), main: z.unknown().optional(), conflict: z.boolean() })),
  conflicts: z.array(ConflictSchema),
});
export type NodeChange = z.infer<typeof NodeChangeSchema>;

export interface Resolution {
  conflict_id: string;
  selected: 'BRANCH' | 'MAIN';
}

export interface BranchRef {
  branch: string;
  branched_from: string;
}

export class ParticipantClient {
  constructor(
    private readonly secret: string,
    private readonly ctx: RequestContext,
  ) {}

  private async call<T>(p: Participant, op: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
    try {
      const answer = await internalPost(`/internal/branch/${op}`, body, {
        secret: this.secret,
        from: 'branching',
        to: p.name,
        baseUrl: p.baseUrl,
        // the caller's identity is kept for the change log; the principal is the system
        ctx: { requestId: this.ctx.requestId },
        timeoutMs: 600_000,
      });
      return schema.parse(answer);
    } catch (err) {
      if (err instanceof InternalCallError) {
        const e = (err.body as { errors?: { message?: string; extensions?: Record<string, unknown> }[] } | null)?.errors?.[0];
        const code = e?.extensions?.code;
        if (isErrorCode(code) && code !== 'INTERNAL_SERVER_ERROR') {
          const { code: _c, ...details } = e?.extensions ?? {};
          throw new StrataError(code, e?.message ?? `${p.name} refused ${op}`, { participant: p.name, ...details });
        }
      }
      if (err instanceof StrataError) throw err;
      throw errors.internal(`Participant ${p.name} failed during ${op}`);
    }
  }

  diff(p: Participant, ref: BranchRef, kinds?: string[]) {
    return this.call(p, 'diff', { ...ref, kinds }, z.object({ nodes: z.array(NodeChangeSchema) }));
  }
  validate(p: Participant, ref: BranchRef) {
    return this.call(p, 'validate', ref, z.object({ conflicts: z.array(ConflictSchema) }));
  }
  merge(p: Participant, ref: BranchRef, resolutions: Resolution[]) {
    return this.call(p, 'merge', { ...ref, resolutions }, z.object({ merged: z.number(), changes: z.number(), merged_at: z.string() }));
  }
  rebase(p: Participant, ref: BranchRef, resolutions: Resolution[]) {
    return this.call(p, 'rebase', { ...ref, resolutions }, z.object({ rebased: z.number(), branched_from: z.string() }));
  }
}
