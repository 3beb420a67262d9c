// The schema-file format (YAML) that declares kinds, validated with zod. This is the public
// shape of `POST /api/schema/load` and of the built-in files under `subgraphs/inventory/kinds/`.
import { z } from 'zod';

export const ATTRIBUTE_KINDS = [
  'Text',
  'TextArea',
  'Number',
  'Float',
  'Boolean',
  'Dropdown',
  'DateTime',
  'Date',
  'JSON',
  'IPHost',
  'IPNetwork',
  'MacAddress',
  'URL',
  'Color',
  'ListNumber',
  'ListText',
] as const;
export type AttributeKind = (typeof ATTRIBUTE_KINDS)[number];

const identifier = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case: lowercase letters, digits and _ starting with a letter');
const pascal = z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'must be PascalCase');

export const ChoiceSchema = z.union([z.string().min(1), z.object({ value: z.string().min(1), label: z.string().optional(), color: z.string().optional() })]);

export const AttributeSchema = z
  .object({
    name: identifier,
    kind: z.enum(ATTRIBUTE_KINDS),
    label: z.string().optional(),
    description: z.string().optional(),
    optional: z.boolean().default(false),
    unique: z.boolean().default(false),
    default: z.unknown().optional(),
    choices: z.array(ChoiceSchema).optional(),
    max_length: z.number().int().positive().optional(),
    min_value: z.number().optional(),
    max_value: z.number().optional(),
    regex: z.string().optional(),
  })
  .strict();
export type AttributeDef = z.infer<typeof AttributeSchema>;

export const RelationshipSchema = z
  .object({
    name: identifier,
    /** peer kind (e.g. DcimSite) or a generic (e.g. DcimCableTermination) */
    peer: pascal,
    cardinality: z.enum(['one', 'many']),
    optional: z.boolean().default(true),
    /** name of the reverse field on the peer (e.g. `devices` on DcimSite) */
    inverse: identifier.optional(),
    label: z.string().optional(),
    description: z.string().optional(),
    /**
     * what deleting the peer does to this relation: refuse (`protect`, default for to-one),
     * delete this node (`cascade`), or clear the reference (`set_null`, default for to-many:
     * the peer is removed from the list)
     */
    on_delete: z.enum(['protect', 'cascade', 'set_null']).optional(),
  })
  .strict();
export type RelationshipDef = z.infer<typeof RelationshipSchema>;

export const KindSchema = z
  .object({
    name: pascal,
    label: z.string().optional(),
    description: z.string().optional(),
    /** generics this kind implements (GraphQL interface / polymorphic relation targets) */
    inherit_from: z.array(pascal).default([]),
    /** template for `display`, e.g. "{name}" or "{device.name} {name}" */
    display: z.string().optional(),
    /** attribute sets that identify a node; single-attribute `unique: true` adds to these */
    uniqueness_constraints: z.array(z.array(identifier).min(1)).default([]),
    /** GraphQL naming overrides (`type`: SiteType, `field`: site) */
    graphql: z.object({ type: pascal.optional(), field: identifier.optional() }).strict().optional(),
    /** default order (attribute names, `-name` for descending) */
    order_by: z.array(z.string()).optional(),
    /** human-friendly id: attributes and to-one relations naming a node (`[device, name]`);
     * defaults to the first uniqueness constraint */
    human_friendly_id: z.array(identifier).min(1).optional(),
    attributes: z.array(AttributeSchema).default([]),
    relationships: z.array(RelationshipSchema).default([]),
  })
  .strict();
export type KindDef = z.infer<typeof KindSchema>;

export const GenericSchema = z
  .object({
    name: pascal,
    label: z.string().optional(),
    description: z.string().optional(),
    graphql: z.object({ type: pascal.optional() }).strict().optional(),
  })
  .strict();
export type GenericDef = z.infer<typeof GenericSchema>;

export const SchemaFileSchema = z
  .object({
    version: z.literal(1).default(1),
    namespace: pascal,
    generics: z.array(GenericSchema).default([]),
    kinds: z.array(KindSchema).default([]),
  })
  .strict();
export type SchemaFile = z.infer<typeof SchemaFileSchema>;
