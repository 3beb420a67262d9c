// First-start bootstrap: when no user holds the admin role, create `admin` with the password
// from STRATA_INITIAL_ADMIN_PASSWORD and an API token `initial` from STRATA_INITIAL_ADMIN_TOKEN.
// Missing values are generated, printed once to stdout and stored 0600 in
// <STRATA_DATA_DIR>/initial-admin.json. Idempotent; concurrent starts serialise on an advisory lock.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@strata/shared';
import type { AuthConfig } from './config.ts';
import { hashPassword } from './crypto/passwords.ts';
import { generateApiToken, generatePassword } from './crypto/tokens.ts';
import type { AuthPrisma } from './db.ts';
import { newTokenData } from './store/api-tokens.ts';

export const INITIAL_ADMIN_USERNAME = 'admin';
export const INITIAL_TOKEN_NAME = 'initial';
export const INITIAL_ADMIN_FILE = 'initial-admin.json';
/** pg advisory lock key held while bootstrapping (distinct from Prisma's migration lock). */
const BOOTSTRAP_LOCK_KEY = 5_318_008_001;

export interface BootstrapOptions {
  prisma: AuthPrisma;
  config: Pick<AuthConfig, 'initialAdminPassword' | 'initialAdminToken' | 'dataDir'>;
  logger: Logger;
  /** where generated credentials are announced once (default: stdout) */
  print?: (text: string) => void;
}

export interface BootstrapResult {
  created: boolean;
  userId: string | null;
  /** which secrets were generated (and written to `file`) */
  generated: { password: boolean; token: boolean };
  file: string | null;
}

interface InitialAdminFile {
  username: string;
  password?: string;
  token?: string;
  created_at: string;
  note: string;
}

const NOTHING: BootstrapResult = { created: false, userId: null, generated: { password: false, token: false }, file: null };

async function hasAdmin(prisma: Pick<AuthPrisma, 'user'>): Promise<boolean> {
  return (await prisma.user.findFirst({ where: { roles: { has: 'admin' } }, select: { id: true } })) !== null;
}

/** Writes the file atomically with mode 0600 (never readable by others, even briefly). */
async function writeSecretFile(file: string, content: InitialAdminFile): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(tmp, 0o600);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

function announcement(content: InitialAdminFile, file: string): string {
  const lines = [
    '',
    '================ Strata initial admin ================',
    `username: ${content.username}`,
    ...(content.password ? [`password: ${content.password}`] : []),
    ...(content.token ? [`API token: ${content.token}`] : []),
    `Stored in ${file} (mode 0600). Shown only once.`,
    '======================================================',
    '',
  ];
  return lines.join('\n');
}

export async function bootstrapAdmin(opts: BootstrapOptions): Promise<BootstrapResult> {
  const { prisma, config, logger } = opts;
  if (await hasAdmin(prisma)) return NOTHING;

  const generated = { password: config.initialAdminPassword === undefined, token: config.initialAdminToken === undefined };
  const password = config.initialAdminPassword ?? generatePassword();
  const token = config.initialAdminToken ?? generateApiToken();
  const passwordHash = await hashPassword(password);
  const file = path.join(config.dataDir, INITIAL_ADMIN_FILE);
  const content: InitialAdminFile = {
    username: INITIAL_ADMIN_USERNAME,
    ...(generated.password ? { password } : {}),
    ...(generated.token ? { token } : {}),
    created_at: new Date().toISOString(),
    note: 'Generated on first start of Strata. Change the password and revoke this token once you have your own.',
  };
  const writesFile = generated.password || generated.token;

  const userId = await prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${BOOTSTRAP_LOCK_KEY}::bigint)`;
      if (await hasAdmin(tx)) return null;
      const clash = await tx.user.findUnique({ where: { username: INITIAL_ADMIN_USERNAME }, select: { id: true } });
      if (clash) {
        logger.warn(`no user has the admin role, but a user named "${INITIAL_ADMIN_USERNAME}" exists: not bootstrapping`);
        return null;
      }
      const user = await tx.user.create({
        data: { username: INITIAL_ADMIN_USERNAME, passwordHash, roles: ['admin'], isActive: true },
        select: { id: true },
      });
      await tx.apiToken.create({ data: newTokenData({ userId: user.id, name: INITIAL_TOKEN_NAME, token }).data });
      // Written before commit: if this fails nothing is created and the next start retries.
      if (writesFile) await writeSecretFile(file, content);
      return user.id;
    },
    { maxWait: 30_000, timeout: 60_000 },
  );
  if (!userId) return NOTHING;

  if (writesFile) (opts.print ?? ((text: string) => process.stdout.write(text)))(announcement(content, file));
  logger.info(`created initial admin user "${INITIAL_ADMIN_USERNAME}" with API token "${INITIAL_TOKEN_NAME}"`);
  return { created: true, userId, generated, file: writesFile ? file : null };
}
