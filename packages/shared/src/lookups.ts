// The NetBox v2 filter lookups as TypeScript input types (docs/api.md#queries), shared by every
// subgraph that translates them (inventory compiles them to SQL, auth and history to Prisma).
export interface StrLookup {
  exact?: string | null;
  i_exact?: string | null;
  contains?: string | null;
  i_contains?: string | null;
  starts_with?: string | null;
  i_starts_with?: string | null;
  ends_with?: string | null;
  i_ends_with?: string | null;
  in_list?: string[] | null;
  is_null?: boolean | null;
}

export interface IdLookup {
  exact?: string | null;
  in_list?: string[] | null;
}

export interface BoolLookup {
  exact?: boolean | null;
  is_null?: boolean | null;
}
