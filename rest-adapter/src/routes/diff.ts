// GET /api/diff/data?branch=<name>: what a branch changed (CONTRACT §8), from branch_diff.
import { z } from 'zod';
import { RestError } from '../errors.ts';
import { operation } from '../queries/index.ts';
import { defineRoute } from './types.ts';

const DiffSchema = z.object({
  branch: z.string(),
  branched_from: z.string(),
  summary: z.object({ num_added: z.number(), num_updated: z.number(), num_removed: z.number(), num_conflicts: z.number() }),
  total_count: z.number(),
  page_info: z.object({ offset: z.number(), limit: z.number() }),
  nodes: z.array(
    z.object({
      kind: z.string(),
      id: z.string(),
      display: z.string(),
      action: z.enum(['ADDED', 'UPDATED', 'REMOVED']),
      conflict: z.boolean(),
      elements: z.array(z.object({ name: z.string(), old_value: z.unknown(), new_value: z.unknown(), main_value: z.unknown(), conflict: z.boolean() })),
      conflicts: z.array(z.object({ id: z.string(), kind: z.string(), node_id: z.string(), field: z.string(), type: z.string(), base_value: z.unknown(), branch_value: z.unknown(), main_value: z.unknown() })),
    }),
  ),
});

const int = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new RestError(400, `${name} must be a non-negative integer`);
  return Number(v);
};

export const diffDataRoute = defineRoute({
  method: 'get',
  path: '/api/diff/data',
  operationId: 'diff_data',
  summary: "A branch's changes",
  description: 'Per node: action ADDED/UPDATED/REMOVED, per attribute and relation old and new values, conflicts flagged; with a summary.',
  tags: ['branches'],
  queryParams: {
    branch: { description: 'the branch to diff against main', required: true },
    kind: { description: 'only this kind (repeat with commas: DcimSite,DcimDevice)' },
    offset: { description: 'nodes to skip', schema: { type: 'integer', minimum: 0 } },
    limit: { description: 'nodes to return (default 100)', schema: { type: 'integer', minimum: 0 } },
  },
  response: { description: 'The diff', schema: DiffSchema, schemaName: 'BranchDiff' },
  errors: [404],
  async handler({ supergraph, query }) {
    if (!query.branch) throw new RestError(400, 'Query parameter branch is required');
    const offset = int(query.offset, 'offset');
    const limit = int(query.limit, 'limit');
    const kinds = query.kind ? query.kind.split(',').map((k) => k.trim()).filter(Boolean) : undefined;
    const data = await supergraph.request<{ branch_diff: z.infer<typeof DiffSchema> }>(operation('diff-data'), {
      name: query.branch,
      kinds,
      pagination: { offset: offset ?? 0, limit: limit ?? 100 },
    });
    return { body: data.branch_diff };
  },
});
