// The auth subgraph's SDL (Federation 2): the current user, users (admins), API tokens.
// `printSchemaSdl()` is what `pnpm compose` reads; `typeDefs` is what the server builds.
// Sessions (login/refresh/logout), user_* mutations for admins and single sign-on (sso_*).
import { parse, type DocumentNode } from 'graphql';
import { DATETIME_SCALAR_SDL, PAGINATION_SDL } from '@strata/shared';

const SDL = /* GraphQL */ `
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])

${DATETIME_SCALAR_SDL}

${PAGINATION_SDL}

"""String lookups on auth objects (exact, case-insensitive and partial matches)."""
input AuthStrFilterLookup {
  exact: String
  i_exact: String
  contains: String
  i_contains: String
  starts_with: String
  i_starts_with: String
  ends_with: String
  i_ends_with: String
  in_list: [String!]
  is_null: Boolean
}

input AuthIDFilterLookup {
  exact: ID
  in_list: [ID!]
}

input AuthBoolFilterLookup {
  exact: Boolean
  is_null: Boolean
}

"""A Strata user account."""
type UserType @key(fields: "id") {
  id: ID!
  display: String!
  class_type: String!
  username: String!
  """any of admin, editor, viewer"""
  roles: [String!]!
  is_active: Boolean!
  created: DateTime!
  last_updated: DateTime!
}

type UserTypeOffsetPaginated {
  results: [UserType!]!
  total_count: Int!
  page_info: OffsetPaginationInfo!
}

input UserFilter {
  id: AuthIDFilterLookup
  username: AuthStrFilterLookup
  is_active: AuthBoolFilterLookup
  """users holding this role (admin, editor or viewer)"""
  role: String
  AND: UserFilter
  OR: UserFilter
  NOT: UserFilter
}

"""An API token. The secret itself is only returned once, by api_token_create."""
type ApiTokenType {
  id: ID!
  display: String!
  class_type: String!
  name: String!
  user: UserType!
  """first characters of the token, for recognising it"""
  prefix: String!
  """last characters of the token, for recognising it"""
  last4: String!
  expires: DateTime
  revoked: DateTime
  last_used: DateTime
  created: DateTime!
  """not revoked and not expired"""
  is_active: Boolean!
  """the token in clear text: only set in the answer of api_token_create"""
  token: String
}

type ApiTokenTypeOffsetPaginated {
  results: [ApiTokenType!]!
  total_count: Int!
  page_info: OffsetPaginationInfo!
}

input ApiTokenFilter {
  id: AuthIDFilterLookup
  name: AuthStrFilterLookup
  user_id: ID
  """not revoked and not expired"""
  is_active: Boolean
  AND: ApiTokenFilter
  OR: ApiTokenFilter
  NOT: ApiTokenFilter
}

input ApiTokenCreateInput {
  name: String!
  """expiry instant; omit for a token that does not expire"""
  expires: DateTime
}

type Query {
  """the authenticated user"""
  me: UserType
  """a user (admins, or the user themselves)"""
  user(id: ID!): UserType!
  """all users (admins only)"""
  user_list(filters: UserFilter, pagination: OffsetPaginationInput): UserTypeOffsetPaginated!
  """your API tokens (admins: everyone's)"""
  api_token_list(filters: ApiTokenFilter, pagination: OffsetPaginationInput): ApiTokenTypeOffsetPaginated!
  """the OAuth2/OIDC providers of this installation (public)"""
  sso_providers: [SsoProviderType!]!
}

"""An access token (JWT, send as Authorization: Bearer) and a rotating refresh token"""
type TokenPairType {
  access_token: String!
  refresh_token: String!
  token_type: String!
  """access token lifetime in seconds"""
  expires_in: Int!
}

type LogoutResult {
  ok: Boolean!
}

input UserCreateInput {
  username: String!
  """at least 8 characters; users without a password log in through OAuth2/OIDC or use API tokens"""
  password: String
  """admin, editor and/or viewer (default viewer)"""
  roles: [String!]
  is_active: Boolean
}

input UserUpdateInput {
  username: String
  password: String
  roles: [String!]
  is_active: Boolean
}

type UserDeleteResult {
  ok: Boolean!
  id: ID!
}

"""An OAuth2 or OpenID Connect provider users can sign in with"""
type SsoProviderType {
  name: String!
  """oauth2 or oidc"""
  protocol: String!
  display_name: String!
  """where a browser starts the sign-in (GET on the gateway origin)"""
  authorize_url: String!
}

"""Where to send the browser to sign in, and the transaction to hand back to sso_callback"""
type SsoAuthorizationType {
  authorization_url: String!
  """opaque and encrypted (state, nonce, PKCE verifier); valid 10 minutes"""
  transaction: String!
}

"""A login session opened by single sign-on"""
type SsoLoginType {
  access_token: String!
  refresh_token: String!
  token_type: String!
  """access token lifetime in seconds"""
  expires_in: Int!
  """the path given to sso_authorize, to send the browser back to"""
  redirect_to: String
}

type Mutation {
  """starts an OAuth2/OIDC sign-in (public; used by GET /api/{protocol}/{provider}/authorize)"""
  sso_authorize(protocol: String!, provider: String!, redirect_uri: String!, redirect_to: String): SsoAuthorizationType!
  """finishes an OAuth2/OIDC sign-in (public; used by GET /api/{protocol}/{provider}/token)"""
  sso_callback(protocol: String!, provider: String!, callback_url: String!, transaction: String!): SsoLoginType!
  """creates a user (admins)"""
  user_create(data: UserCreateInput!): UserType!
  """changes a user (admins); deactivating, changing roles or the password ends their sessions"""
  user_update(id: ID!, data: UserUpdateInput!): UserType!
  """deletes a user and their tokens (admins)"""
  user_delete(id: ID!): UserDeleteResult!
  """password login (public): a JWT access token (1 h) and a refresh token (7 d)"""
  login(username: String!, password: String!): TokenPairType!
  """rotates a refresh token (public); reusing an old one ends the session family"""
  refresh(refresh_token: String!): TokenPairType!
  """ends the session of this refresh token (or all of the caller's sessions)"""
  logout(refresh_token: String): LogoutResult!
  """creates an API token for the authenticated user; the answer's token field is the only copy"""
  api_token_create(data: ApiTokenCreateInput!): ApiTokenType!
  """revokes one of your API tokens (admins: anyone's)"""
  api_token_revoke(id: ID!): ApiTokenType!
}
`;

export const typeDefs: DocumentNode = parse(SDL);

/** The subgraph SDL as text (input of `pnpm compose`). */
export function printSchemaSdl(): string {
  return `${SDL.trim()}\n`;
}
