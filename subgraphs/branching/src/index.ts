// Public surface of @strata/branching for the launcher, compose, the gateway and tests.
export { start, SERVICE, type StartOptions } from './server.ts';
export { typeDefs, printSchemaSdl } from './schema/index.ts';
export { branchNameProblem, DEFAULT_BRANCH } from './branch-name.ts';
export type { BranchChange, BranchEventSink } from './events.ts';
