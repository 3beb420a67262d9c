// Human-friendly ids (Infrahub's hfid): a node's name as a list of strings, e.g. a device's
// interface is ["ams1-leaf-001", "et-0/0/1"] (the device's hfid, then the interface name).
// Used as output (`hfid` on every object) and as a reference (`{hfid: [...]}` in inputs).
import type { CompiledSchema, Kind } from '../model/kinds.ts';
import type { Row } from './reader.ts';

export type PeerLoader = (kind: Kind, id: string) => Promise<Row | null>;

/** The hfid of a row, or null when the kind has none (or a component is missing). */
export async function hfidOf(schema: CompiledSchema, kind: Kind, row: Row, load: PeerLoader): Promise<string[] | null> {
  if (!kind.hfid) return null;
  const out: string[] = [];
  for (const n of kind.hfid) {
    const rel = kind.relationships.find((r) => r.name === n);
    if (!rel) {
      const v = row[n];
      if (v === null || v === undefined) return null;
      out.push(String(v instanceof Date ? v.toISOString() : v));
      continue;
    }
    const peerKind = schema.kinds.get(rel.peer)!;
    const id = row[rel.column] as string | null;
    const peer = id ? await load(peerKind, id) : null;
    if (!peer) return null;
    const sub = await hfidOf(schema, peerKind, peer, load);
    if (!sub) return null;
    out.push(...sub);
  }
  return out;
}

/** Number of strings in a kind's hfid (relations contribute their peer's length). */
export function hfidLength(schema: CompiledSchema, kind: Kind): number {
  let n = 0;
  for (const c of kind.hfid ?? []) {
    const rel = kind.relationships.find((r) => r.name === c);
    n += rel ? hfidLength(schema, schema.kinds.get(rel.peer)!) : 1;
  }
  return n;
}

/** Turns an hfid into the attribute-set reference the writer resolves (`{device: {hfid}, name}`). */
export function hfidToRef(schema: CompiledSchema, kind: Kind, hfid: string[]): Record<string, unknown> | null {
  if (!kind.hfid || hfid.length !== hfidLength(schema, kind)) return null;
  const ref: Record<string, unknown> = {};
  let i = 0;
  for (const c of kind.hfid) {
    const rel = kind.relationships.find((r) => r.name === c);
    if (!rel) {
      ref[c] = hfid[i++];
      continue;
    }
    const peer = schema.kinds.get(rel.peer)!;
    const len = hfidLength(schema, peer);
    ref[c] = { hfid: hfid.slice(i, i + len) };
    i += len;
  }
  return ref;
}
