// Maps Postgres errors caused by user input to Strata errors; everything else stays internal.
import { errors, StrataError } from '@strata/shared';

export function dbError(err: unknown): Error {
  if (err instanceof StrataError) return err;
  const e = err as { code?: string; message?: string; constraint?: string };
  switch (e.code) {
    case '2201B':
      return errors.badInput(`Invalid regular expression: ${e.message}`);
    case '22021': // invalid byte sequence (e.g. a NUL byte in text)
    case '22P05':
      return errors.badInput(`Invalid character in a value: ${e.message}`);
    case '57014': // statement_timeout (or a cancelled request)
      return errors.timeout('The request ran past its database time limit (STRATA_STATEMENT_TIMEOUT)');
    case '22P02':
    case '22007':
    case '22008':
    case '22003':
      return errors.badInput(`Invalid value: ${e.message}`);
    case '23505':
      return errors.uniqueness('A node with the same unique values already exists', { constraint: e.constraint });
    case '40001':
    case '40P01':
      return errors.conflict('Concurrent change, please retry');
    default:
      return err instanceof Error ? err : new Error(String(err));
  }
}
