// `pnpm docs:graphql`: writes docs/graphql.md from real responses. Starts the whole system
// in-process on a scratch database, loads a small data set through the public mutations, runs
// every example through the gateway and records the answers verbatim (long lists cut).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack } from '../../test/stack.ts';
import { loadDataset } from './dataset.ts';

process.env.LOG_LEVEL ??= 'error';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Example {
  title: string;
  text: string;
  query: string;
  variables?: Record<string, unknown>;
  branch?: string;
  at?: string;
}

function trim(value: unknown, max = 3): unknown {
  if (Array.isArray(value)) {
    const head = value.slice(0, max).map((v) => trim(v, max));
    return value.length > max ? [...head, `… ${value.length - max} more`] : head;
  }
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, trim(v, max)]));
  return value;
}

const stack = await startStack();
try {
  const request = async <T = Record<string, any>>(q: string, v?: Record<string, unknown>) => {
    const r = await stack.graphql<T>(q, v);
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return r.data as T;
  };
  await loadDataset(request, { sites: 3, devicesPerSite: 8, interfacesPerDevice: 4, circuitsPerSite: 2 });
  const anyDevice = (await request<{ device_list: { results: { id: string }[] } }>(`{ device_list(pagination: {limit: 1}) { results { id } } }`)).device_list.results[0]!.id;
  const examples: Example[] = [
    { title: 'A list in the v2 shape', text: '`<name>_list` returns `results`, `total_count` (exact for the filters) and `page_info`. Without a limit a list returns up to 100 rows.', query: `{ site_list { total_count page_info { offset limit } results { id name status display class_type } } }` },
    { title: 'Pagination', text: '`pagination: {offset, limit}`; a limit above `STRATA_MAX_PAGE_SIZE` (1000) is capped.', query: `{ device_list(pagination: {offset: 0, limit: 2}) { total_count page_info { offset limit } results { id name } } }` },
    { title: 'Keyset pagination for exports', text: 'Order by id, then pass the last id as `start` for the next page: constant cost however deep.', query: `{ device_list(pagination: {limit: 2}, order: {id: ASC}) { results { id name } } }` },
    { title: 'Order', text: '`order:` on every list field, several keys allowed; the default is by name, then id.', query: `{ site_list(order: {status: DESC, name: ASC}) { results { name status } } }` },
    { title: 'Enum filters, both forms', text: '`status: STATUS_ACTIVE` or `status: {exact: STATUS_ACTIVE}` / `{in_list: [...]}`; results show the value (`active`).', query: `{ circuit_list(filters: {status: STATUS_ACTIVE}) { results { cid provider { name } } } }` },
    { title: 'OR / AND / NOT', text: '`OR: X` means (the other conditions) OR X; `NOT: X` ANDs in not-X.', query: `{ site_list(filters: {status: STATUS_PLANNED, OR: {tenant: {name: {exact: "Acme"}}}}) { results { name status tenant { name } } } }` },
    { title: 'String lookups', text: '`exact i_exact contains i_contains starts_with i_starts_with ends_with i_ends_with regex i_regex in_list is_null`.', query: `{ device_list(filters: {name: {i_contains: "SPINE"}, NOT: {name: {ends_with: "3"}}}) { total_count results { name } } }` },
    { title: 'Related filters', text: 'Filters nest through relations; on to-many relations they mean "any related matches". Foreign keys also take a plain id (`site_id`).', query: `{ device_list(filters: {site: {tags: {slug: {exact: "core"}}}, role: {slug: {exact: "router"}}}) { results { name site { name tags { slug } } } } }` },
    { title: 'IP containment', text: '`net_contains`, `net_contains_or_equals`, `net_contained`, `net_contained_or_equal` on IP attributes (Postgres `inet`/`cidr`, GiST index).', query: `{ prefix_list(filters: {prefix: {net_contains: "10.1.2.7"}}) { results { prefix status } } }` },
    { title: 'Nested lists with filters', text: 'To-many and reverse relations are list fields that take `filters`, `pagination` and `order`.', query: `{ device_list(pagination: {limit: 2}) { results { name interfaces(filters: {enabled: {exact: true}}, pagination: {limit: 2}) { name type } } } }` },
    { title: 'Unions for polymorphic relations', text: 'Cable terminations and IP assignments are unions; use inline fragments and `class_type`.', query: `{ cable_list(pagination: {limit: 2}) { results { id a_terminations { ... on InterfaceType { id class_type name device { name } } ... on ConsolePortType { id class_type } } } } }` },
    { title: 'A node by id, with its change log', text: 'Singular fields take `id`; `changelog` comes from the history subgraph.', query: `query($id: ID!) { device(id: $id) { name site { name } changelog { action user_name changed_object_type } } }`, variables: { id: anyDevice } },
    { title: 'Not found', text: 'A missing node gives `data: null` and `NODE_NOT_FOUND`.', query: `{ device(id: "00000000-0000-0000-0000-000000000000") { id } }` },
    { title: 'Create with references', text: 'Relations take `{id}` or any unique attribute set of the peer; enums take the name or the value.', query: `mutation { site_create(data: {name: "Lisbon 1", slug: "lisbon-1", status: STATUS_PLANNED, region: {slug: "eu"}, tenant: {slug: "acme"}, tags: [{slug: "edge"}]}) { name status region { name } tenant { name } tags { slug } } }` },
    { title: 'Upsert', text: 'Matches on the kind\'s unique constraint: a second upsert updates.', query: `mutation { tag_upsert(data: {name: "Core", slug: "core", color: "000000"}) { name color } }` },
    { title: 'Validation errors write nothing', text: 'Every problem is found before the first write.', query: `mutation { site_create(data: {name: "Lisbon 1", slug: "other"}) { id } }` },
    { title: 'Time travel', text: '`?at=` (or the `at` variable) reads the past, here one hour ago — before the data existed.', query: `{ site_list { total_count } }`, at: '-1h' },
  ];
  const lines = [
    '# GraphQL dialect',
    '',
    'Strata speaks NetBox\'s v2 GraphQL dialect (CONTRACT §4-5) over the whole supergraph at',
    '`/graphql` (branches at `/graphql/{branch}`, time travel with `?at=`). Every example below was',
    'run against a real Strata with a small generated data set; the answers are verbatim, long lists',
    'cut. Regenerate with `pnpm docs:graphql`.',
    '',
    'Naming: kinds are `<Namespace><Name>` (`DcimSite`); object types `<Name>Type`; query fields',
    '`<snake_name>` and `<snake_name>_list`; mutations `<snake_name>_create|_update|_upsert|_delete|_bulk_create`;',
    'filters `<Name>Filter`; order `<Name>Order`; enum values `<ATTRIBUTE>_<VALUE>` (`STATUS_ACTIVE`, `TYPE_1000BASE_T`).',
    'Errors carry `extensions.code`: `NODE_NOT_FOUND`, `BAD_USER_INPUT`, `VALIDATION_ERROR`, `UNIQUENESS_VIOLATION`,',
    '`UNAUTHENTICATED`, `FORBIDDEN`, `BRANCH_NOT_FOUND`, `CONFLICT`, `INTERNAL_SERVER_ERROR`.',
    '',
  ];
  for (const ex of examples) {
    const r = await stack.graphql(ex.query, ex.variables ?? {}, { branch: ex.branch, at: ex.at });
    const { status, ...body } = r;
    lines.push(`## ${ex.title}`, '', ex.text, '', '```graphql', ex.query, '```');
    if (ex.variables) lines.push('', 'Variables: `' + JSON.stringify(ex.variables) + '`');
    if (ex.at) lines.push('', `URL: \`/graphql?at=${ex.at}\``);
    lines.push('', `Answer (HTTP ${status}):`, '', '```json', JSON.stringify(trim(body), null, 2), '```', '');
  }
  await writeFile(path.join(ROOT, 'docs', 'graphql.md'), lines.join('\n'));
  console.log('wrote docs/graphql.md');
} finally {
  await stack.close();
}
process.exit(0);
