// Data-owning subgraphs that take part in branch operations. Configured, not coded: inventory by
// default (INVENTORY_URL), or `STRATA_BRANCH_PARTICIPANTS=name=url,name=url` — a future subgraph
// with branch-aware data joins by implementing /internal/branch/{diff,validate,merge,rebase}.
import { baseUrlOf, subgraphUrl } from '@strata/shared';
import { z } from 'zod';

export interface Participant {
  /** the service name (audience of its signed context) */
  name: string;
  /** origin of its internal endpoints (scheme://host:port) */
  baseUrl: string;
}

export const PARTICIPANTS_ENV = 'STRATA_BRANCH_PARTICIPANTS';

const NAME = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'a participant name is a service name: lower-case letters, digits, - and _');
const URL_ = z.url({ protocol: /^https?$/, error: 'a participant URL must be an http(s) URL' });

/**
 * The configured participants, in the order merges run. Throws at start on a malformed
 * `STRATA_BRANCH_PARTICIPANTS` (a typo must not silently drop a participant from merges).
 */
export function participantsFromEnv(env: NodeJS.ProcessEnv): Participant[] {
  const raw = env[PARTICIPANTS_ENV]?.trim();
  if (!raw) return [{ name: 'inventory', baseUrl: baseUrlOf(subgraphUrl('inventory', env)) }];
  const out: Participant[] = [];
  for (const pair of raw.split(/[,\s]+/).filter(Boolean)) {
    const eq = pair.indexOf('=');
    const name = NAME.safeParse(eq > 0 ? pair.slice(0, eq) : '');
    const url = URL_.safeParse(eq > 0 ? pair.slice(eq + 1) : '');
    if (!name.success || !url.success) {
      const why = !name.success ? name.error.issues[0]?.message : url.error?.issues[0]?.message;
      throw new Error(`${PARTICIPANTS_ENV}: expected name=url pairs separated by commas, got "${pair}" (${why})`);
    }
    if (out.some((p) => p.name === name.data)) throw new Error(`${PARTICIPANTS_ENV}: participant "${name.data}" is listed twice`);
    out.push({ name: name.data, baseUrl: baseUrlOf(url.data) });
  }
  return out;
}
