// POST /internal/branch: the gateway asks the branching subgraph, once per request on a branch
// (cached briefly), for the branch's metadata to sign into the request context. Unknown or
// deleted branches answer 404 BRANCH_NOT_FOUND.
import { z } from 'zod';

export const BRANCH_META_PATH = '/internal/branch';

export const BranchMetaRequestSchema = z.object({ name: z.string().min(1).max(1000) });

export const BranchMetaAnswerSchema = z.object({ name: z.string(), status: z.string(), branched_from: z.string(), isolated: z.boolean() });
export type BranchMetaAnswer = z.infer<typeof BranchMetaAnswerSchema>;
