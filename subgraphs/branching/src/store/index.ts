// Store of the branching subgraph: everything that touches its Postgres schema.
export { createBranchStore, type Branch, type BranchStore, type NewBranch } from './branches.ts';
export { ensureInstallation, type Installation } from './installation.ts';
