// Internal participant endpoints the branching subgraph drives (never exposed through the
// gateway): diff, validate, merge, rebase. Each takes `{branch, branched_from}` plus options and
// works in one transaction of this subgraph.
import express, { type Express, type Request, type Response } from 'express';
import { z } from 'zod';
import { CHANGES_TOPIC, contextOf, errors, StrataError, type ChangeEvent, type Logger } from '@strata/shared';
import { randomUUID } from 'node:crypto';
import type { InventoryRuntime } from '../resolvers/request-state.ts';
import { diffBranch, mergeIntoMain, rebaseOntoMain, type BranchRef } from '../store/branch-changes.ts';
import { renderDisplay } from '../store/display.ts';

const Body = z.object({
  branch: z.string().min(1),
  branched_from: z.string().datetime({ offset: true }),
  kinds: z.array(z.string()).optional(),
  resolutions: z.array(z.object({ conflict_id: z.string(), selected: z.enum(['BRANCH', 'MAIN']) })).default([]),
});

export interface ParticipantFaults {
  /** called inside the merge transaction after the writes, before commit (tests inject failures) */
  beforeMergeCommit?: () => void | Promise<void>;
}

export function branchParticipantRoutes(getRuntime: () => InventoryRuntime, logger: Logger, faults: ParticipantFaults = {}) {
  return (app: Express, helpers: { requireContext: (secret: string, audience: string) => express.RequestHandler }, secret: string) => {
    const router = express.Router();
    router.use(express.json({ limit: '1mb' }), helpers.requireContext(secret, 'inventory'), (req, res, next) => {
      if (contextOf(res).user?.via !== 'system') {
        res.status(403).json({ errors: [{ message: 'internal endpoint', extensions: { code: 'FORBIDDEN' } }] });
        return;
      }
      next();
    });
    const handle = (fn: (body: z.infer<typeof Body>, ref: BranchRef, req: Request, res: Response) => Promise<unknown>) => async (req: Request, res: Response) => {
      const parsed = Body.safeParse(req.body);
      if (!parsed.success) {
        res.status(400).json({ errors: [{ message: parsed.error.issues[0]?.message ?? 'bad request', extensions: { code: 'BAD_USER_INPUT' } }] });
        return;
      }
      try {
        const ref = { name: parsed.data.branch, branchedFrom: new Date(parsed.data.branched_from) };
        res.json(await fn(parsed.data, ref, req, res));
      } catch (err) {
        if (err instanceof StrataError) {
          res.status(err.code === 'CONFLICT' ? 409 : 400).json({ errors: [{ message: err.message, extensions: err.extensions }] });
          return;
        }
        logger.error({ err }, 'participant operation failed');
        res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      }
    };

    router.post('/diff', handle(async (body, ref) => ({ nodes: await diffBranch(getRuntime().pool, getRuntime().schema, ref, { kinds: body.kinds }) })));
    router.post('/validate', handle(async (_body, ref) => {
      const nodes = await diffBranch(getRuntime().pool, getRuntime().schema, ref);
      return { conflicts: nodes.flatMap((n) => n.conflicts) };
    }));
    router.post('/merge', handle(async (body, ref, _req, res) => {
      const rt = getRuntime();
      const ctx = contextOf(res);
      const client = await rt.pool.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{ now: Date }>('SELECT now() AS now');
        const now = rows[0]!.now;
        const result = await mergeIntoMain(client, rt.schema, ref, body.resolutions, now, { userName: ctx.user?.username ?? null, requestId: ctx.requestId });
        const events: ChangeEvent[] = [];
        for (const a of result.applied) {
          events.push({
            id: randomUUID(),
            kind: a.kind.kind,
            objectId: a.id,
            action: a.after === null ? 'delete' : a.before ? 'update' : 'create',
            branch: 'main',
            time: now.toISOString(),
            userId: ctx.user?.id ?? null,
            userName: ctx.user?.username ?? null,
            requestId: ctx.requestId,
            display: await renderDisplay(a.kind, (a.before ?? { id: a.id, ...(a.after ?? {}) }) as never),
            prechange: null,
            postchange: null,
          });
        }
        if (events.length) {
          const params: unknown[] = [];
          const tuples = events.map((e) => {
            params.push(CHANGES_TOPIC, JSON.stringify(e));
            return `($${params.length - 1}, $${params.length}::jsonb)`;
          });
          await client.query(`INSERT INTO outbox (topic, payload) VALUES ${tuples.join(', ')}`, params);
        }
        await faults.beforeMergeCommit?.();
        await client.query('COMMIT');
        rt.onCommitted();
        return { merged: result.writes, changes: result.changes.length, merged_at: now.toISOString() };
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    }));
    router.post('/rebase', handle(async (body, ref, _req, res) => {
      const rt = getRuntime();
      const ctx = contextOf(res);
      const client = await rt.pool.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{ now: Date }>('SELECT now() AS now');
        const result = await rebaseOntoMain(client, rt.schema, ref, body.resolutions, rows[0]!.now, { userName: ctx.user?.username ?? null, requestId: ctx.requestId });
        await client.query('COMMIT');
        return { rebased: result.writes, branched_from: rows[0]!.now.toISOString() };
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    }));
    app.use('/internal/branch', router);
  };
}

