// Event payloads that cross service boundaries over the bus. Producers and consumers import
// these schemas; a change here is a contract change between services.
import { z } from 'zod';

/** Durable topic: one event per committed inventory write (transactional outbox -> bus). */
export const CHANGES_TOPIC = 'strata.changes';
/** Broadcast channel: a subgraph's SDL changed; gateways recompose. */
export const SCHEMA_UPDATED_CHANNEL = 'strata.schema.updated';
/** Broadcast channel: an API token or session was revoked; caches drop it at once. */
export const AUTH_REVOKED_CHANNEL = 'strata.auth.revoked';
/** Broadcast channel: a branch was created, changed status or deleted. */
export const BRANCH_CHANGED_CHANNEL = 'strata.branch.changed';

export const ChangeEventSchema = z.object({
  /** unique per change, used for idempotent consumption */
  id: z.string(),
  /** the kind, e.g. DcimSite */
  kind: z.string(),
  objectId: z.string(),
  action: z.enum(['create', 'update', 'delete']),
  branch: z.string(),
  /** ISO instant the change became valid */
  time: z.string(),
  userId: z.string().nullable(),
  userName: z.string().nullable(),
  requestId: z.string(),
  /** human label of the object (its `display`) */
  display: z.string(),
  prechange: z.record(z.string(), z.unknown()).nullable(),
  postchange: z.record(z.string(), z.unknown()).nullable(),
});
export type ChangeEvent = z.infer<typeof ChangeEventSchema>;

export const SchemaUpdatedSchema = z.object({ subgraph: z.string(), version: z.string() });
export type SchemaUpdated = z.infer<typeof SchemaUpdatedSchema>;
