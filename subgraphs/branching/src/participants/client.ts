// Typed calls of the participant protocol (internal HTTP, signed for each participant, system
// principal). Answers are validated with zod. Errors keep their Strata code when the participant
// refused the request (4xx: CONFLICT stays CONFLICT, with its `conflicts` list); anything else
// (5xx, a malformed answer, a refused signature) is logged and becomes INTERNAL_SERVER_ERROR
// without internals; an unreachable participant is SERVICE_UNAVAILABLE naming it.
import { z } from 'zod';
import {
  errors,
  InternalCallError,
  internalPost,
  isErrorCode,
  PARTICIPANT_ANSWERS,
  ServiceUnavailableError,
  participantPath,
  StrataError,
  type ErrorCode,
  type Logger,
  type MergeAnswer,
  type ParticipantConflict,
  type ParticipantNodeChange,
  type ParticipantOperation,
  type ParticipantRequest,
  type RebaseAnswer,
  type RequestContext,
} from '@strata/shared';
import type { Participant } from './registry.ts';

export type Conflict = ParticipantConflict;
export type NodeChange = ParticipantNodeChange;
export type { MergeAnswer, RebaseAnswer };

export interface Resolution {
  conflict_id: string;
  selected: 'BRANCH' | 'MAIN';
}

export interface BranchRef {
  branch: string;
  /** ISO instant */
  branched_from: string;
}

export type Operation = ParticipantOperation;

/** Codes a participant may answer with that describe the caller's request, passed on as they are. */
const PASSED_ON: ReadonlySet<ErrorCode> = new Set(['CONFLICT', 'BAD_USER_INPUT', 'VALIDATION_ERROR', 'UNIQUENESS_VIOLATION', 'NODE_NOT_FOUND', 'TIMEOUT']);

/** How long one participant call may take: reads are quick, merges and rebases scale with the branch. */
const TIMEOUT_MS: Record<Operation, number> = { diff: 120_000, validate: 120_000, merge: 600_000, rebase: 600_000 };

const ErrorBodySchema = z.object({
  errors: z.array(z.object({ message: z.string().optional(), extensions: z.record(z.string(), z.unknown()).optional() })).min(1),
});

/** The Strata error a participant's refusal stands for, or null when it is not the caller's doing. */
export function refusalOf(p: Participant, op: Operation, err: InternalCallError): StrataError | null {
  // 504 is a participant's TIMEOUT (its database time limit): passed on like a refusal
  if (err.status < 400 || (err.status >= 500 && err.status !== 504) || err.status === 401 || err.status === 403) return null;
  const body = ErrorBodySchema.safeParse(err.body);
  if (!body.success) return null;
  const first = body.data.errors[0]!;
  const { code, ...details } = first.extensions ?? {};
  if (!isErrorCode(code) || !PASSED_ON.has(code)) return null;
  return new StrataError(code, first.message ?? `${p.name} refused the ${op}`, { ...details, participant: p.name });
}

export class ParticipantClient {
  constructor(
    private readonly secret: string,
    private readonly ctx: Pick<RequestContext, 'requestId' | 'user'>,
    private readonly logger: Logger,
  ) {}

  private async call<T>(p: Participant, op: Operation, body: unknown, schema: z.ZodType<T>): Promise<T> {
    let answer: unknown;
    try {
      answer = await internalPost(participantPath(op), body, {
        secret: this.secret,
        from: 'branching',
        to: p.name,
        baseUrl: p.baseUrl,
        // the principal is the system (participants refuse anyone else); the request id ties the
        // participant's change log entries to the user's request
        ctx: { requestId: this.ctx.requestId },
        timeoutMs: TIMEOUT_MS[op],
      });
    } catch (err) {
      const refusal = err instanceof InternalCallError ? refusalOf(p, op, err) : null;
      if (refusal) throw refusal;
      // the participant did not answer at all: say which service is down (docs/api.md#errors)
      if (err instanceof ServiceUnavailableError) throw errors.unavailable(`The ${p.name} service is unavailable; ${op} did not run`, { service: p.name, participant: p.name });
      this.logger.error({ err, participant: p.name, op, status: (err as InternalCallError).status, body: (err as InternalCallError).body }, 'participant call failed');
      throw errors.internal(`Participant ${p.name} failed during ${op}`);
    }
    const parsed = schema.safeParse(answer);
    if (!parsed.success) {
      this.logger.error({ participant: p.name, op, issues: parsed.error.issues.slice(0, 5) }, 'participant answered an unexpected shape');
      throw errors.internal(`Participant ${p.name} failed during ${op}`);
    }
    return parsed.data;
  }

  diff(p: Participant, ref: BranchRef, kinds?: string[]) {
    const body: ParticipantRequest = kinds ? { ...ref, kinds } : ref;
    return this.call(p, 'diff', body, PARTICIPANT_ANSWERS.diff);
  }
  validate(p: Participant, ref: BranchRef) {
    return this.call(p, 'validate', ref satisfies ParticipantRequest, PARTICIPANT_ANSWERS.validate);
  }
  /** who asked for a merge or rebase: participants record them in the change log */
  private get actor() {
    return { id: this.ctx.user?.id ?? null, username: this.ctx.user?.username ?? null };
  }
  merge(p: Participant, ref: BranchRef, resolutions: Resolution[]) {
    return this.call(p, 'merge', { ...ref, resolutions, actor: this.actor } satisfies ParticipantRequest, PARTICIPANT_ANSWERS.merge);
  }
  rebase(p: Participant, ref: BranchRef, resolutions: Resolution[]) {
    return this.call(p, 'rebase', { ...ref, resolutions, actor: this.actor } satisfies ParticipantRequest, PARTICIPANT_ANSWERS.rebase);
  }
}
