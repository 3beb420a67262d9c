// Reads and validates schema files (YAML) into a CompiledSchema; the built-in files live in
// `subgraphs/inventory/kinds/`.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { SchemaFileSchema } from './definition.ts';
import { compileSchema, SchemaValidationError, type CompiledSchema, type SourceFile } from './kinds.ts';

export const BUILTIN_KINDS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../kinds');

/** Parses one schema document; throws SchemaValidationError naming the file and field. */
export function parseSchemaFile(file: string, text: string): SourceFile {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new SchemaValidationError([{ file, reason: `not valid YAML: ${(err as Error).message}` }]);
  }
  return validateSchemaDocument(file, raw);
}

export function validateSchemaDocument(file: string, raw: unknown): SourceFile {
  const parsed = SchemaFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new SchemaValidationError(parsed.error.issues.map((i) => ({ file, field: i.path.join('.'), reason: i.message })));
  }
  return { path: file, content: parsed.data };
}

export async function readSchemaDir(dir: string): Promise<SourceFile[]> {
  const names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  return Promise.all(names.map(async (n) => parseSchemaFile(n, await readFile(path.join(dir, n), 'utf8'))));
}

export async function loadBuiltinSchema(): Promise<{ files: SourceFile[]; schema: CompiledSchema }> {
  const files = await readSchemaDir(BUILTIN_KINDS_DIR);
  return { files, schema: compileSchema(files) };
}
