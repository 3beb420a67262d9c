// OAuth2 / OIDC provider settings from the environment (docs/api.md#commands):
//   STRATA_OIDC_PROVIDERS=keycloak,corp         STRATA_OAUTH2_PROVIDERS=google,github
//   STRATA_OIDC_<NAME>_ISSUER, _CLIENT_ID, _CLIENT_SECRET, _SCOPES ("openid email profile")
//   STRATA_OAUTH2_<NAME>_CLIENT_ID, _CLIENT_SECRET, _AUTHORIZATION_URL, _TOKEN_URL,
//     _USERINFO_URL, _SCOPES, _SUBJECT_FIELD (sub, then id), _USERNAME_FIELD
//     (preferred_username, login, email); the provider named `google` (or _PRESET=google) has
//     Google's URLs and scopes built in.
//   Both: _DISPLAY_NAME, _DEFAULT_ROLES (viewer), _AUTO_CREATE (true: first sign-in creates a
//     user), _ALLOW_HTTP (false: plain-http provider URLs only for local test providers).
import { z } from 'zod';
import { RoleSchema, type Role } from '@strata/shared';

export type SsoProtocol = 'oauth2' | 'oidc';

interface Common {
  protocol: SsoProtocol;
  /** lower-case name used in URLs: /api/{protocol}/{name}/authorize */
  name: string;
  displayName: string;
  clientId: string;
  clientSecret: string | undefined;
  scopes: string[];
  defaultRoles: Role[];
  autoCreate: boolean;
  allowHttp: boolean;
}

export interface OidcProviderConfig extends Common {
  protocol: 'oidc';
  issuer: string;
}

export interface OAuth2ProviderConfig extends Common {
  protocol: 'oauth2';
  authorizationUrl: string;
  tokenUrl: string;
  userinfoUrl: string;
  subjectFields: string[];
  usernameFields: string[];
}

export type SsoProviderConfig = OidcProviderConfig | OAuth2ProviderConfig;

export const GOOGLE_PRESET = {
  authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  userinfoUrl: 'https://openidconnect.googleapis.com/v1/userinfo',
  scopes: ['openid', 'email', 'profile'],
  displayName: 'Google',
} as const;

const NAME = /^[a-z][a-z0-9_-]{0,39}$/;
const bool = (v: string | undefined, def: boolean) => (v === undefined || v === '' ? def : !['false', '0', 'no', 'off'].includes(v.toLowerCase()));
const words = (v: string | undefined) => (v ?? '').split(/[\s,]+/).filter(Boolean);

function names(env: NodeJS.ProcessEnv, variable: string): string[] {
  const out = words(env[variable]).map((n) => n.toLowerCase());
  for (const n of out) if (!NAME.test(n)) throw new Error(`${variable}: invalid provider name "${n}" (letters, digits, _ and -)`);
  return out;
}

function url(v: string | undefined, variable: string, allowHttp: boolean): string {
  const parsed = z.string().url().safeParse(v);
  if (!parsed.success) throw new Error(`${variable} must be set to a URL`);
  const u = new URL(parsed.data);
  if (u.protocol !== 'https:' && !(allowHttp && u.protocol === 'http:'))
    throw new Error(`${variable} must be an https URL (set ..._ALLOW_HTTP=true only for a local test provider)`);
  return parsed.data;
}

function common(env: NodeJS.ProcessEnv, protocol: SsoProtocol, name: string, defaults: { displayName: string; scopes: string[] }): Common {
  const p = `STRATA_${protocol.toUpperCase()}_${name.toUpperCase().replace(/-/g, '_')}_`;
  const clientId = env[`${p}CLIENT_ID`];
  if (!clientId) throw new Error(`${p}CLIENT_ID must be set for provider ${name}`);
  const roles = words(env[`${p}DEFAULT_ROLES`] ?? 'viewer');
  const parsedRoles = z.array(RoleSchema).min(1).safeParse(roles);
  if (!parsedRoles.success) throw new Error(`${p}DEFAULT_ROLES: use admin, editor and/or viewer`);
  return {
    protocol,
    name,
    displayName: env[`${p}DISPLAY_NAME`] || defaults.displayName,
    clientId,
    clientSecret: env[`${p}CLIENT_SECRET`] || undefined,
    scopes: env[`${p}SCOPES`] ? words(env[`${p}SCOPES`]) : defaults.scopes,
    defaultRoles: parsedRoles.data,
    autoCreate: bool(env[`${p}AUTO_CREATE`], true),
    allowHttp: bool(env[`${p}ALLOW_HTTP`], false),
  };
}

/** Every configured provider; throws with the variable's name when a setting is wrong. */
export function readSsoProviders(env: NodeJS.ProcessEnv = process.env): SsoProviderConfig[] {
  const out: SsoProviderConfig[] = [];
  for (const name of names(env, 'STRATA_OIDC_PROVIDERS')) {
    const c = common(env, 'oidc', name, { displayName: name, scopes: ['openid', 'email', 'profile'] });
    if (!c.scopes.includes('openid')) c.scopes.unshift('openid');
    out.push({ ...c, protocol: 'oidc', issuer: url(env[`STRATA_OIDC_${name.toUpperCase().replace(/-/g, '_')}_ISSUER`], `STRATA_OIDC_${name.toUpperCase()}_ISSUER`, c.allowHttp) });
  }
  for (const name of names(env, 'STRATA_OAUTH2_PROVIDERS')) {
    const p = `STRATA_OAUTH2_${name.toUpperCase().replace(/-/g, '_')}_`;
    const google = name === 'google' || env[`${p}PRESET`]?.toLowerCase() === 'google';
    const c = common(env, 'oauth2', name, google ? { displayName: GOOGLE_PRESET.displayName, scopes: [...GOOGLE_PRESET.scopes] } : { displayName: name, scopes: [] });
    out.push({
      ...c,
      protocol: 'oauth2',
      authorizationUrl: url(env[`${p}AUTHORIZATION_URL`] ?? (google ? GOOGLE_PRESET.authorizationUrl : undefined), `${p}AUTHORIZATION_URL`, c.allowHttp),
      tokenUrl: url(env[`${p}TOKEN_URL`] ?? (google ? GOOGLE_PRESET.tokenUrl : undefined), `${p}TOKEN_URL`, c.allowHttp),
      userinfoUrl: url(env[`${p}USERINFO_URL`] ?? (google ? GOOGLE_PRESET.userinfoUrl : undefined), `${p}USERINFO_URL`, c.allowHttp),
      subjectFields: env[`${p}SUBJECT_FIELD`] ? [env[`${p}SUBJECT_FIELD`]!] : ['sub', 'id'],
      usernameFields: env[`${p}USERNAME_FIELD`] ? [env[`${p}USERNAME_FIELD`]!] : ['preferred_username', 'login', 'email'],
    });
  }
  return out;
}
