// GET /api/diff/data?branch=<name>: what a branch changed (docs/rest.md), from branch_diff:
// a summary, then per node its action and per attribute/relation the old (main at
// branched_from), new (branch) and main (when main changed it too) values, conflicts flagged.
// `?kind=` filters kinds (comma-separated), `?offset=&limit=` page the nodes.
import { z } from 'zod';
import { RestError } from '../errors.ts';
import { operation } from '../queries/index.ts';
import { defineRoute } from './types.ts';

const ConflictSchema = z.object({
  id: z.string().describe('pass it back in a resolution: `<node id>/<field>`, or `<node id>/*` for a node removed on one side'),
  kind: z.string(),
  node_id: z.string(),
  field: z.string().describe('the attribute or relation, `*` for the whole node'),
  type: z.string().describe('BOTH_CHANGED, REMOVED_ON_MAIN or REMOVED_ON_BRANCH'),
  base_value: z.unknown().describe('main at branched_from'),
  branch_value: z.unknown(),
  main_value: z.unknown().describe('main now'),
});

const ElementSchema = z.object({
  name: z.string().describe('attribute or relation name (relations: peer id, or list of ids)'),
  old_value: z.unknown().describe('main at branched_from (null when added)'),
  new_value: z.unknown().describe('the branch (null when removed)'),
  main_value: z.unknown().describe('main now, when main changed it too (else null)'),
  conflict: z.boolean(),
});

const NodeSchema = z.object({
  kind: z.string(),
  id: z.string(),
  display: z.string(),
  action: z.enum(['ADDED', 'UPDATED', 'REMOVED']),
  conflict: z.boolean().describe('true when one of its attributes/relations or the node itself conflicts'),
  elements: z.array(ElementSchema),
  conflicts: z.array(ConflictSchema),
});

export const DiffSchema = z.object({
  branch: z.string(),
  branched_from: z.string().describe('ISO 8601 instant the branch sees main as of'),
  summary: z
    .object({ num_added: z.number().int(), num_updated: z.number().int(), num_removed: z.number().int(), num_conflicts: z.number().int() })
    .describe('for every node matching ?kind=, not only this page'),
  total_count: z.number().int(),
  page_info: z.object({ offset: z.number().int(), limit: z.number().int() }),
  nodes: z.array(NodeSchema),
});
export type DiffData = z.infer<typeof DiffSchema>;

const int = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined || v === '') return undefined;
  if (!/^\d{1,9}$/.test(v)) throw new RestError(400, `Query parameter ${name} must be a non-negative integer`);
  return Number(v);
};

export const diffDataRoute = defineRoute({
  method: 'get',
  path: '/api/diff/data',
  operationId: 'diff_data',
  summary: "A branch's changes against main",
  description:
    "Per node: action ADDED/UPDATED/REMOVED and, per attribute and relation, the old value (main at `branched_from`), the new value (the branch) and main's current value when main changed it too; conflicts are flagged and listed with the ids `branch_merge`/`branch_rebase` resolutions take. The summary counts every node matching `kind`.",
  tags: ['branches'],
  queryParams: {
    branch: { description: 'the branch to diff against main (not `main`)', required: true },
    kind: { description: 'only these kinds, comma-separated (DcimSite,DcimDevice)' },
    offset: { description: 'nodes to skip (default 0)', schema: { type: 'integer', minimum: 0 } },
    limit: { description: 'nodes to return (default 100, at most STRATA_MAX_PAGE_SIZE)', schema: { type: 'integer', minimum: 0 } },
  },
  response: { description: 'The diff', schema: DiffSchema, schemaName: 'BranchDiff' },
  errors: [404, 422],
  async handler({ req, supergraph, query }) {
    const raw = req.query as Record<string, unknown>;
    for (const name of ['branch', 'kind', 'offset', 'limit']) {
      if (Array.isArray(raw[name])) throw new RestError(400, `Query parameter ${name} may be given only once`);
    }
    if (raw.at !== undefined) throw new RestError(400, 'The diff is computed for now: ?at= is not supported here');
    if (!query.branch) throw new RestError(400, 'Query parameter branch is required');
    const offset = int(query.offset, 'offset');
    const limit = int(query.limit, 'limit');
    const kinds = query.kind
      ? [
          ...new Set(
            query.kind
              .split(',')
              .map((k) => k.trim())
              .filter(Boolean),
          ),
        ]
      : [];
    const data = await supergraph.request<{ branch_diff: DiffData }>(operation('diff-data'), {
      name: query.branch,
      kinds: kinds.length ? kinds : null,
      pagination: { offset: offset ?? 0, limit: limit ?? 100 },
    });
    return { body: data.branch_diff };
  },
});
