// Operation limits checked before execution (CONTRACT §4): alias count and selection depth,
// following fragments; and which root fields an operation selects.
import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

export interface OperationShape {
  operation: OperationDefinitionNode;
  aliases: number;
  depth: number;
  rootFields: string[];
}

export function operationShape(doc: DocumentNode, operationName?: string | null): OperationShape | null {
  const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? ops.find((o) => o.name?.value === operationName) : ops.length === 1 ? ops[0] : undefined;
  if (!operation) return null;
  const fragments = new Map(
    doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  let aliases = 0;
  const walk = (set: SelectionSetNode, depth: number, seen: Set<string>): number => {
    let max = depth;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.alias) aliases++;
        if (sel.selectionSet) max = Math.max(max, walk(sel.selectionSet, depth + 1, seen));
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        max = Math.max(max, walk(sel.selectionSet, depth, seen));
      } else {
        const f = fragments.get(sel.name.value);
        if (f && !seen.has(f.name.value)) max = Math.max(max, walk(f.selectionSet, depth, new Set([...seen, f.name.value])));
      }
    }
    return max;
  };
  const depth = walk(operation.selectionSet, 0, new Set());
  const rootFields: string[] = [];
  const collectRoots = (set: SelectionSetNode, seen: Set<string>) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) rootFields.push(sel.name.value);
      else if (sel.kind === Kind.INLINE_FRAGMENT) collectRoots(sel.selectionSet, seen);
      else {
        const f = fragments.get(sel.name.value);
        if (f && !seen.has(f.name.value)) collectRoots(f.selectionSet, new Set([...seen, f.name.value]));
      }
    }
  };
  collectRoots(operation.selectionSet, new Set());
  return { operation, aliases, depth, rootFields };
}
