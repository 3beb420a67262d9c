// The benchmark queries: each GraphQL query with a hand-written SQL query returning the same
// JSON (the baseline a perfect server could not beat by much).
const LIVE = (a: string) => `${a}._branch = 'main' AND ${a}._valid_to IS NULL AND NOT ${a}._deleted`;

export interface BenchQuery {
  name: string;
  graphql: string;
  sql: string;
}

export const QUERIES: BenchQuery[] = [
  {
    name: 'site_list (flat, 100 rows)',
    graphql: `{ site_list { total_count results { id name slug status } } }`,
    sql: `SELECT json_build_object('total_count', (SELECT count(*) FROM dcim_site c WHERE ${LIVE('c')}),
            'results', coalesce(json_agg(json_build_object('id', s.id, 'name', s.name, 'slug', s.slug, 'status', s.status) ORDER BY s.name, s.id), '[]'))
          FROM (SELECT * FROM dcim_site s WHERE ${LIVE('s')} ORDER BY name, id LIMIT 100) s`,
  },
  {
    name: 'device_list nested (100 devices, site, role, interfaces)',
    graphql: `{ device_list(pagination: {limit: 100}) { results { id name site { name } role { name } interfaces { name type } } } }`,
    sql: `SELECT coalesce(json_agg(json_build_object('id', d.id, 'name', d.name,
              'site', (SELECT json_build_object('name', s.name) FROM dcim_site s WHERE s.id = d.site_id AND ${LIVE('s')}),
              'role', (SELECT json_build_object('name', r.name) FROM dcim_device_role r WHERE r.id = d.role_id AND ${LIVE('r')}),
              'interfaces', (SELECT coalesce(json_agg(json_build_object('name', i.name, 'type', i.type) ORDER BY i.name, i.id), '[]')
                              FROM dcim_interface i WHERE i.device_id = d.id AND ${LIVE('i')})
            ) ORDER BY d.name, d.id), '[]')
          FROM (SELECT * FROM dcim_device d WHERE ${LIVE('d')} ORDER BY name, id LIMIT 100) d`,
  },
  {
    name: 'interface_list filtered through relations',
    graphql: `{ interface_list(filters: {name: {starts_with: "et-0/0/1"}, device: {site: {slug: {exact: "amsterdam-1"}}}}, pagination: {limit: 50}) { total_count results { name device { name } } } }`,
    sql: `WITH m AS (SELECT i.* FROM dcim_interface i WHERE ${LIVE('i')} AND i.name LIKE 'et-0/0/1%'
              AND EXISTS (SELECT 1 FROM dcim_device d WHERE d.id = i.device_id AND ${LIVE('d')}
                AND EXISTS (SELECT 1 FROM dcim_site s WHERE s.id = d.site_id AND ${LIVE('s')} AND s.slug = 'amsterdam-1')))
          SELECT json_build_object('total_count', (SELECT count(*) FROM m),
            'results', (SELECT coalesce(json_agg(json_build_object('name', x.name, 'device', (SELECT json_build_object('name', d.name) FROM dcim_device d WHERE d.id = x.device_id AND ${LIVE('d')})) ORDER BY x.name, x.id), '[]')
                        FROM (SELECT * FROM m ORDER BY name, id LIMIT 50) x))`,
  },
  {
    name: 'ip_address_list containment filter',
    graphql: `{ ip_address_list(filters: {address: {net_contained_or_equal: "10.1.0.0/16"}}, pagination: {limit: 100}) { total_count results { address dns_name } } }`,
    sql: `WITH m AS (SELECT * FROM ipam_ip_address a WHERE ${LIVE('a')} AND a.address <<= '10.1.0.0/16'::inet)
          SELECT json_build_object('total_count', (SELECT count(*) FROM m),
            'results', (SELECT coalesce(json_agg(json_build_object('address', x.address, 'dns_name', x.dns_name) ORDER BY x.id), '[]') FROM (SELECT * FROM m ORDER BY id LIMIT 100) x))`,
  },
];
