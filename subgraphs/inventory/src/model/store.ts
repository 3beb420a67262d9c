// The schema in force: built-in kind files plus files loaded at run time, versioned in
// `schema_version` (newest row wins).
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { compileSchema, type CompiledSchema, type SourceFile } from './kinds.ts';
import { loadBuiltinSchema, validateSchemaDocument } from './load.ts';

export interface SchemaState {
  files: SourceFile[];
  schema: CompiledSchema;
  hash: string;
}

function hashFiles(files: SourceFile[]): string {
  return createHash('sha256')
    .update(JSON.stringify(files.map((f) => [f.path, f.content])))
    .digest('hex');
}

/** Built-in files, overridden/extended by the stored user files of the newest version. */
export async function currentSchema(pool: pg.Pool): Promise<SchemaState> {
  const builtin = await loadBuiltinSchema();
  const { rows } = await pool.query<{ files: { path: string; content: unknown }[] }>('SELECT files FROM schema_version ORDER BY id DESC LIMIT 1');
  const stored = (rows[0]?.files ?? []).filter((f) => f.path.startsWith('user:')).map((f) => validateSchemaDocument(f.path, f.content));
  const files = [...builtin.files, ...stored];
  const schema = stored.length ? compileSchema(files) : builtin.schema;
  const hash = hashFiles(files);
  return { files, schema, hash };
}

/** Records the schema in force when it differs from the newest stored version. */
export async function recordSchema(pool: pg.Pool, state: SchemaState, author: string | null): Promise<boolean> {
  const { rows } = await pool.query<{ hash: string }>('SELECT hash FROM schema_version ORDER BY id DESC LIMIT 1');
  if (rows[0]?.hash === state.hash) return false;
  await pool.query('INSERT INTO schema_version (hash, files, author) VALUES ($1, $2::jsonb, $3)', [state.hash, JSON.stringify(state.files), author]);
  return true;
}

/** The schema with `uploads` replacing stored user files of the same namespace. */
export function mergeUploads(current: SchemaState, uploads: SourceFile[]): SourceFile[] {
  const replaced = new Set(uploads.map((u) => u.path));
  return [...current.files.filter((f) => !replaced.has(f.path)), ...uploads];
}

export function stateOf(files: SourceFile[]): SchemaState {
  return { files, schema: compileSchema(files), hash: hashFiles(files) };
}
