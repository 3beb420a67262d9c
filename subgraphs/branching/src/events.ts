// Seam for broadcasting branch changes (BRANCH_CHANGED_CHANNEL in @strata/shared events.ts):
// resolvers call `emitBranchChange(...)` after every committed write or status change (create,
// delete, OPEN <-> NEED_REBASE, MERGING, MERGED, back to OPEN, rebase). server.ts passes the
// bus-backed sink (`busSink`, the bus from `busFromEnv`); tests may pass their own sink.
// Publishing never fails a write.
import { randomUUID } from 'node:crypto';
import { BRANCH_CHANGED_CHANNEL, CHANGES_TOPIC, type ChangeEvent, type EventBus, type Logger } from '@strata/shared';
import type { Branch } from './store/index.ts';

export type BranchChangeAction = 'created' | 'updated' | 'deleted';

/** Wire shape of a branch change (snake_case, like the GraphQL and internal APIs). */
export interface BranchChange {
  action: BranchChangeAction;
  /** the branch's id (its node id in the change log) */
  id: string;
  name: string;
  status: Branch['status'];
  branched_from: string;
  isolated: boolean;
  created_by: string | null;
}

export interface BranchEventSink {
  branchChanged(change: BranchChange): Promise<void>;
}

export function branchChangeOf(action: BranchChangeAction, b: Branch): BranchChange {
  return { action, id: b.id, name: b.name, status: b.status, branched_from: b.branchedFrom.toISOString(), isolated: b.isolated, created_by: b.createdBy };
}

/** The default sink until the bus exists: debug log only. */
export function loggingSink(logger: Logger): BranchEventSink {
  return {
    async branchChanged(change) {
      logger.debug({ change }, 'branch changed');
    },
  };
}

/** Calls the sink and swallows (logs) its failures: the write is already committed. */
export async function emitBranchChange(sink: BranchEventSink, logger: Logger, change: BranchChange): Promise<void> {
  try {
    await sink.branchChanged(change);
  } catch (err) {
    logger.warn({ err, branch: change.name }, 'could not publish branch change');
  }
}

/**
 * Broadcasts branch changes on the bus (gateways drop their cached branch metadata) and records
 * them in the change log (durable topic, kind `Branch`), so history shows branch events.
 */
export function busSink(bus: Pick<EventBus, 'broadcast' | 'publish'>, logger: Logger): BranchEventSink {
  return {
    async branchChanged(change) {
      logger.debug({ change }, 'branch changed');
      await bus.broadcast(BRANCH_CHANGED_CHANNEL, change);
      const event: ChangeEvent = {
        id: randomUUID(),
        kind: 'Branch',
        objectId: change.id,
        action: change.action === 'created' ? 'create' : change.action === 'deleted' ? 'delete' : 'update',
        branch: 'main',
        time: new Date().toISOString(),
        userId: null,
        userName: change.action === 'created' ? change.created_by : null,
        requestId: randomUUID(),
        display: change.name,
        prechange: null,
        postchange: { name: change.name, status: change.status, branched_from: change.branched_from, isolated: change.isolated },
      };
      await bus.publish(CHANGES_TOPIC, event);
    },
  };
}
