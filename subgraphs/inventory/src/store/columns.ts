// How each attribute kind is stored: Postgres column type and the system columns every
// version row carries.
import type { AttributeKind } from '../model/definition.ts';
import type { Attribute, Kind, Relationship } from '../model/kinds.ts';

export const SQL_TYPE: Record<AttributeKind, string> = {
  Text: 'text',
  TextArea: 'text',
  Number: 'bigint',
  Float: 'double precision',
  Boolean: 'boolean',
  Dropdown: 'text',
  DateTime: 'timestamptz',
  Date: 'date',
  JSON: 'jsonb',
  IPHost: 'inet',
  IPNetwork: 'cidr',
  MacAddress: 'macaddr',
  URL: 'text',
  Color: 'text',
  ListNumber: 'jsonb',
  ListText: 'jsonb',
};

/** System columns of every kind table (one row per version of a node on a branch); every
 * name but `id` starts with `_`, which attribute names cannot. */
export const SYSTEM_COLUMNS = `
  _vid bigserial PRIMARY KEY,
  id uuid NOT NULL,
  _branch text NOT NULL,
  _valid_from timestamptz NOT NULL,
  _valid_to timestamptz,
  _deleted boolean NOT NULL DEFAULT false,
  _created timestamptz NOT NULL,
  _changed_by text,
  _request_id text`;

/** System column names (prefixed with `_`, so they never collide with attributes). */
export const SYSTEM_NAMES = ['id', '_branch', '_valid_from', '_deleted', '_created', '_changed_by', '_request_id'] as const;

export interface DataColumn {
  column: string;
  sqlType: string;
  attribute?: Attribute;
  relationship?: Relationship;
  /** the kind column of a polymorphic to-one relationship */
  isKindColumn?: boolean;
}

/** Every data column of a kind, in a stable order. */
export function dataColumns(kind: Kind): DataColumn[] {
  const cols: DataColumn[] = kind.attributes.map((a) => ({ column: a.name, sqlType: SQL_TYPE[a.kind], attribute: a }));
  for (const r of kind.relationships) {
    if (r.cardinality === 'one') {
      cols.push({ column: r.column, sqlType: 'uuid', relationship: r });
      if (r.kindColumn) cols.push({ column: r.kindColumn, sqlType: 'text', relationship: r, isKindColumn: true });
    } else {
      cols.push({ column: r.column, sqlType: 'uuid[]', relationship: r });
    }
  }
  return cols;
}
