// Branch metadata for the request context, from the branching subgraph (`/internal/branch`),
// cached briefly; BRANCH_NOT_FOUND for unknown or deleted branches.
import { BRANCH_META_PATH, BranchMetaAnswerSchema, errors, InternalCallError, internalPost, type BranchMeta, type BranchMetaAnswer } from '@strata/shared';

export type BranchInfo = BranchMetaAnswer;

export interface BranchResolver {
  resolve(name: string): Promise<{ info: BranchInfo; meta: BranchMeta | null }>;
  forget(name?: string): void;
}

export function branchResolver(opts: { branchingBaseUrl: string; secret: string; ttlMs?: number }): BranchResolver {
  const ttl = opts.ttlMs ?? 2_000;
  const cache = new Map<string, { info: BranchInfo; expires: number }>();
  return {
    forget: (name) => (name ? cache.delete(name) : cache.clear()),
    async resolve(name) {
      let info = cache.get(name);
      if (!info || info.expires < Date.now()) {
        try {
          const answer = BranchMetaAnswerSchema.parse(
            await internalPost(BRANCH_META_PATH, { name }, { secret: opts.secret, from: 'gateway', to: 'branching', baseUrl: opts.branchingBaseUrl }),
          );
          info = { info: answer, expires: Date.now() + ttl };
          cache.set(name, info);
        } catch (err) {
          if (err instanceof InternalCallError && err.status === 404) throw errors.branchNotFound(name);
          throw err;
        }
      }
      const meta = name === 'main' ? null : { branchedFrom: info.info.branched_from, isolated: info.info.isolated };
      return { info: info.info, meta };
    },
  };
}
