// Seam for broadcasting branch changes (BRANCH_CHANGED_CHANNEL in @strata/shared events.ts):
// resolvers call `events.branchChanged(...)` after a committed write. Today the default sink
// only logs; when the bus (packages/shared/src/bus) lands, server.ts passes a sink that
// publishes on the channel, and nothing else changes. Publishing never fails a write.
import { BRANCH_CHANGED_CHANNEL, type EventBus, type Logger } from '@strata/shared';
import type { Branch } from './store/index.ts';

export type BranchChangeAction = 'created' | 'updated' | 'deleted';

/** Wire shape of a branch change (snake_case, like the GraphQL and internal APIs). */
export interface BranchChange {
  action: BranchChangeAction;
  name: string;
  status: Branch['status'];
  branched_from: string;
  isolated: boolean;
}

export interface BranchEventSink {
  branchChanged(change: BranchChange): Promise<void>;
}

export function branchChangeOf(action: BranchChangeAction, b: Branch): BranchChange {
  return { action, name: b.name, status: b.status, branched_from: b.branchedFrom.toISOString(), isolated: b.isolated };
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

/** Broadcasts branch changes on the bus (gateways drop their cached branch metadata). */
export function busSink(bus: Pick<EventBus, 'broadcast'>, logger: Logger): BranchEventSink {
  return {
    async branchChanged(change) {
      logger.debug({ change }, 'branch changed');
      await bus.broadcast(BRANCH_CHANGED_CHANNEL, change);
    },
  };
}
