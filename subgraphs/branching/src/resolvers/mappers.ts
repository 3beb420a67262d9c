// Branch rows -> GraphQL BranchType / internal endpoint shapes (snake_case).
import { DEFAULT_BRANCH } from '../branch-name.ts';
import type { Branch } from '../store/index.ts';
import type { BranchMetaAnswer } from '@strata/shared';

export interface BranchView {
  id: string;
  name: string;
  description: string | null;
  status: Branch['status'];
  branched_from: Date;
  isolated: boolean;
  created_by: string | null;
  created_at: Date;
  is_default: boolean;
  merged_at: Date | null;
}

export function toBranchView(b: Branch): BranchView {
  return {
    id: b.id,
    name: b.name,
    description: b.description,
    status: b.status,
    branched_from: b.branchedFrom,
    isolated: b.isolated,
    created_by: b.createdBy,
    created_at: b.createdAt,
    is_default: b.name === DEFAULT_BRANCH,
    merged_at: b.mergedAt,
  };
}

export function toBranchMeta(b: Branch): BranchMetaAnswer {
  return { name: b.name, status: b.status, branched_from: b.branchedFrom.toISOString(), isolated: b.isolated };
}
