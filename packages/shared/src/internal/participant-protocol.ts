// The participant protocol (internal HTTP, never exposed through the gateway): the branching
// subgraph drives branch operations on every data-owning subgraph ("participant") through
// POST /internal/branch/{diff,validate,merge,rebase}. Paths and the zod schemas of requests and
// answers live here, once, for both sides (branching's client, inventory's routes).
import { z } from 'zod';

export const PARTICIPANT_OPERATIONS = ['diff', 'validate', 'merge', 'rebase'] as const;
export type ParticipantOperation = (typeof PARTICIPANT_OPERATIONS)[number];

export const participantPath = (op: ParticipantOperation) => `/internal/branch/${op}` as const;

export const ResolutionSchema = z.object({ conflict_id: z.string(), selected: z.enum(['BRANCH', 'MAIN']) });
export type ParticipantResolution = z.infer<typeof ResolutionSchema>;

/** Every participant request: the branch and the instant it sees main from, plus options. */
export const ParticipantRequestSchema = z.object({
  branch: z.string().min(1),
  branched_from: z.string().datetime({ offset: true }),
  /** diff only: restrict to these kinds */
  kinds: z.array(z.string()).optional(),
  /** merge and rebase: one side per conflict id */
  resolutions: z.array(ResolutionSchema).default([]),
  /** merge and rebase: who asked (recorded in the change log) */
  actor: z.object({ id: z.string().nullable(), username: z.string().nullable() }).optional(),
});
export type ParticipantRequest = z.input<typeof ParticipantRequestSchema>;

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
export type ParticipantConflict = z.infer<typeof ConflictSchema>;

export const FieldChangeSchema = z.object({
  name: z.string(),
  old: z.unknown().optional(),
  new: z.unknown().optional(),
  main: z.unknown().optional(),
  conflict: z.boolean(),
});

export const NodeChangeSchema = z.object({
  kind: z.string(),
  id: z.string(),
  display: z.string(),
  action: z.enum(['ADDED', 'UPDATED', 'REMOVED']),
  fields: z.array(FieldChangeSchema),
  conflicts: z.array(ConflictSchema),
});
export type ParticipantNodeChange = z.infer<typeof NodeChangeSchema>;

export const DiffAnswerSchema = z.object({ nodes: z.array(NodeChangeSchema) });
export const ValidateAnswerSchema = z.object({ conflicts: z.array(ConflictSchema) });
export const MergeAnswerSchema = z.object({ merged: z.number(), changes: z.number(), merged_at: z.iso.datetime({ offset: true }) });
export const RebaseAnswerSchema = z.object({ rebased: z.number(), branched_from: z.iso.datetime({ offset: true }) });
export type MergeAnswer = z.infer<typeof MergeAnswerSchema>;
export type RebaseAnswer = z.infer<typeof RebaseAnswerSchema>;

export const PARTICIPANT_ANSWERS = {
  diff: DiffAnswerSchema,
  validate: ValidateAnswerSchema,
  merge: MergeAnswerSchema,
  rebase: RebaseAnswerSchema,
} as const;
