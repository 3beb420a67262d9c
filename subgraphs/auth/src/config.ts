// Auth subgraph settings read from the environment (docs/api.md#commands): initial admin credentials,
// data directory and page size cap. Validated once at start with zod.
import path from 'node:path';
import { z } from 'zod';
import { readEnv } from '@strata/shared';

const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))
  .refine((v) => v === undefined || !/\s/.test(v), 'must not contain whitespace');

const AuthEnvSchema = z.object({
  STRATA_INITIAL_ADMIN_PASSWORD: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : v)),
  STRATA_INITIAL_ADMIN_TOKEN: optionalSecret,
});

export interface AuthConfig {
  /** password for the bootstrap `admin` user; generated when unset */
  initialAdminPassword: string | undefined;
  /** API token `initial` for the bootstrap `admin` user; generated when unset */
  initialAdminToken: string | undefined;
  /** STRATA_DATA_DIR (default ./.strata), absolute */
  dataDir: string;
  maxPageSize: number;
}

export function readAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const shared = readEnv(env);
  const parsed = AuthEnvSchema.safeParse(env);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment: ${msg}`);
  }
  return {
    initialAdminPassword: parsed.data.STRATA_INITIAL_ADMIN_PASSWORD,
    initialAdminToken: parsed.data.STRATA_INITIAL_ADMIN_TOKEN,
    dataDir: path.resolve(shared.STRATA_DATA_DIR || '.strata'),
    maxPageSize: shared.STRATA_MAX_PAGE_SIZE,
  };
}
