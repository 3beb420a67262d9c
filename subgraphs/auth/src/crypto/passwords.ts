// Password hashing: argon2id (PHC string) via @node-rs/argon2, OWASP's baseline parameters.
import { hash, verify, type Options } from '@node-rs/argon2';

// `Algorithm` is an ambient const enum (unusable with isolatedModules): 2 = Argon2id.
const ARGON2ID = 2 as NonNullable<Options['algorithm']>;
const OPTIONS: Options = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** False for a wrong password or a malformed/absent hash; never throws on bad input. */
export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (!passwordHash) return false;
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
