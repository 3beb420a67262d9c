// `display` labels from a kind's template: `{name}`, or `{device.name} {name}` through to-one
// relations (peers loaded by the caller's loader).
import type { Kind } from '../model/kinds.ts';
import type { Row } from './reader.ts';

const PLACEHOLDER = /\{([a-z0-9_.]+)\}/g;

export type PeerLoader = (kind: Kind, relationName: string, row: Row) => Promise<Row | null>;

export async function renderDisplay(kind: Kind, row: Row, loadPeer?: PeerLoader, resolveKind?: (k: string) => Kind | undefined): Promise<string> {
  if (!kind.displayTemplate) return `${kind.name} ${row.id}`;
  const parts = [...kind.displayTemplate.matchAll(PLACEHOLDER)];
  let out = kind.displayTemplate;
  for (const m of parts) {
    const path = m[1]!.split('.');
    let value: unknown = row;
    let current: Kind | undefined = kind;
    for (let i = 0; i < path.length; i++) {
      const key = path[i]!;
      if (i === path.length - 1 || !current) {
        value = value && typeof value === 'object' ? (value as Row)[key] : undefined;
        break;
      }
      const rel: Kind['relationships'][number] | undefined = current.relationships.find((r) => r.name === key);
      if (!rel || !loadPeer || !value) {
        value = undefined;
        break;
      }
      const peer = await loadPeer(current, key, value as Row);
      value = peer;
      current = rel.polymorphic ? (peer && resolveKind ? resolveKind(String(peer.__kind ?? '')) : undefined) : resolveKind?.(rel.peer);
    }
    out = out.replace(m[0], value === null || value === undefined ? '' : String(value));
  }
  return out.trim() || `${kind.name} ${row.id}`;
}
