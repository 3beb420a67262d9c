// Data-owning subgraphs that take part in branch operations. Configured, not coded: inventory by
// default (INVENTORY_URL), or `STRATA_BRANCH_PARTICIPANTS=name=url,name=url` — a future subgraph
// with branch-aware data joins by implementing /internal/branch/{diff,validate,merge,rebase}.
import { baseUrlOf, subgraphUrl } from '@strata/shared';

export interface Participant {
  /** the service name (audience of its signed context) */
  name: string;
  /** origin of its internal endpoints */
  baseUrl: string;
}

export function participantsFromEnv(env: NodeJS.ProcessEnv): Participant[] {
  const raw = env.STRATA_BRANCH_PARTICIPANTS?.trim();
  if (!raw) return [{ name: 'inventory', baseUrl: baseUrlOf(subgraphUrl('inventory', env)) }];
  return raw.split(',').map((pair) => {
    const [name, url] = pair.split('=');
    if (!name || !url) throw new Error(`STRATA_BRANCH_PARTICIPANTS: expected name=url, got "${pair}"`);
    return { name: name.trim(), baseUrl: baseUrlOf(url.trim()) };
  });
}
