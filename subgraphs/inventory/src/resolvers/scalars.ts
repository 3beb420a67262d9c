// Custom scalars of the inventory subgraph: DateTime and JSON, and Choice and ChoiceFilterLookup
// (which accepts both `STATUS_ACTIVE` and `{exact: STATUS_ACTIVE}`, docs/api.md#queries). All come from
// @strata/shared, where the gateway reads the same rules to refuse bad input before any
// subgraph is called (gateway/src/scalar-checks.ts).
import { ChoiceFilterLookupScalar, ChoiceScalar, DateTimeScalar, JSONScalar } from '@strata/shared';

export const Choice = ChoiceScalar;
export const ChoiceFilterLookup = ChoiceFilterLookupScalar;

export const scalarResolvers = { DateTime: DateTimeScalar, JSON: JSONScalar, Choice, ChoiceFilterLookup };
