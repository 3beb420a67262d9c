// The auth subgraph's data access (schema `auth`): one object handed to resolvers, routes
// and the bootstrap.
import type { AuthPrisma } from '../db.ts';
import { ApiTokenStore } from './api-tokens.ts';
import { UserStore } from './users.ts';

export interface AuthStore {
  prisma: AuthPrisma;
  users: UserStore;
  apiTokens: ApiTokenStore;
}

export function createStore(prisma: AuthPrisma): AuthStore {
  return { prisma, users: new UserStore(prisma), apiTokens: new ApiTokenStore(prisma) };
}

export * from './api-tokens.ts';
export * from './users.ts';
export * from './pagination.ts';
export * from './filters.ts';
