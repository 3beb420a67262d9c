// Mutation.user_create / user_update / user_delete: admins manage accounts (docs/auth.md).
// Deactivating or deleting a user ends their sessions and API tokens at once.
import { z } from 'zod';
import { errors, RoleSchema, type SubgraphContext } from '@strata/shared';
import { hashPassword } from '../crypto/passwords.ts';
import { requireAdmin, refuseTimeTravel } from './guards.ts';
import { toUserType } from './mappers.ts';
import type { ResolverDeps } from './users.ts';

const USERNAME = /^[a-zA-Z0-9_.@+-]{1,150}$/;
const CreateInput = z.object({
  username: z.string().regex(USERNAME, 'username: 1-150 letters, digits and _ . @ + -'),
  password: z.string().min(8, 'password: at least 8 characters').max(1024).nullish(),
  roles: z.array(RoleSchema).min(1, 'roles: at least one of admin, editor, viewer').default(['viewer']),
  is_active: z.boolean().nullish(),
});
const UpdateInput = CreateInput.partial();

function parse<T>(schema: z.ZodType<T>, data: unknown): T {
  const r = schema.safeParse(data);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw errors.validation(i.message, { field: String(i.path[0] ?? 'data') });
  }
  return r.data;
}

export function userAdminResolvers(deps: ResolverDeps) {
  const { store } = deps;
  const prisma = store.prisma;
  const endSessions = async (userId: string) => {
    await prisma.refreshToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
    await prisma.apiToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
    await deps.onRevoked?.();
  };
  return {
    async user_create(_: unknown, args: { data: unknown }, { ctx }: SubgraphContext) {
      refuseTimeTravel(ctx);
      requireAdmin(ctx);
      const d = parse(CreateInput, args.data);
      if (await store.users.findByUsername(d.username)) throw errors.uniqueness(`A user named ${d.username} already exists`, { field: 'username' });
      try {
        return toUserType(await store.users.create({ username: d.username, password: d.password ?? null, roles: d.roles, isActive: d.is_active ?? true }));
      } catch (err) {
        if ((err as { code?: string }).code === 'P2002') throw errors.uniqueness(`A user named ${d.username} already exists`, { field: 'username' });
        throw err;
      }
    },
    async user_update(_: unknown, args: { id: string; data: unknown }, { ctx }: SubgraphContext) {
      refuseTimeTravel(ctx);
      requireAdmin(ctx);
      const d = parse(UpdateInput, args.data);
      const existing = await store.users.findById(args.id);
      if (!existing) throw errors.notFound('Node not found', { id: args.id });
      const updated = await prisma.user
        .update({
          where: { id: existing.id },
          data: {
            ...(d.username ? { username: d.username } : {}),
            ...(d.roles ? { roles: d.roles } : {}),
            ...(d.is_active != null ? { isActive: d.is_active } : {}),
            ...(d.password ? { passwordHash: await hashPassword(d.password) } : {}),
          },
        })
        .catch((err: { code?: string }) => {
          if (err.code === 'P2002') throw errors.uniqueness('Username already taken', { field: 'username' });
          throw err;
        });
      if (d.is_active === false || d.roles || d.password) await endSessions(existing.id);
      return toUserType((await store.users.findById(updated.id))!);
    },
    async user_delete(_: unknown, args: { id: string }, { ctx }: SubgraphContext) {
      refuseTimeTravel(ctx);
      const me = requireAdmin(ctx);
      const existing = await store.users.findById(args.id);
      if (!existing) throw errors.notFound('Node not found', { id: args.id });
      if (existing.id === me.id) throw errors.validation('You cannot delete yourself');
      await endSessions(existing.id);
      await prisma.user.delete({ where: { id: existing.id } });
      return { ok: true, id: existing.id };
    },
  };
}
