// Bootstrap tokens (upstream k8s.io/cluster-bootstrap): "<id>.<secret>", stored as a Secret of type
// bootstrap.kubernetes.io/token named bootstrap-token-<id> in kube-system. Shared by the API
// server's authenticator, `k8ts token` and the token cleaner, so all agree on names and rules.
import { randomInt } from 'node:crypto';
import type { Secret } from 'kubernetes-types/core/v1.js';

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = 'bootstrap-token-';
export const BOOTSTRAP_TOKEN_NAMESPACE = 'kube-system';
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
/** kubeadm's default extra group for node join tokens. */
export const DEFAULT_NODE_TOKEN_GROUP = 'system:bootstrappers:kubeadm:default-node-token';

export const KEY_TOKEN_ID = 'token-id';
export const KEY_TOKEN_SECRET = 'token-secret';
export const KEY_EXPIRATION = 'expiration';
export const KEY_DESCRIPTION = 'description';
export const KEY_EXTRA_GROUPS = 'auth-extra-groups';
export const USAGE_PREFIX = 'usage-bootstrap-';
export const USAGE_AUTHENTICATION = 'usage-bootstrap-authentication';
export const USAGE_SIGNING = 'usage-bootstrap-signing';

const TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const SECRET_NAME_RE = /^bootstrap-token-([a-z0-9]{6})$/;
// Upstream BootstrapGroupPattern.
const GROUP_RE = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface BootstrapToken {
  id: string;
  secret: string;
}

/** Parses "<id>.<secret>"; undefined when the string is not a bootstrap token. */
export function parseToken(token: string): BootstrapToken | undefined {
  const m = TOKEN_RE.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

export function formatToken(t: BootstrapToken): string {
  return `${t.id}.${t.secret}`;
}

/** A new random token (crypto-strength, as kubeadm's GenerateBootstrapToken). */
export function generateToken(): BootstrapToken {
  const random = (n: number) => Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return { id: random(6), secret: random(16) };
}

export function secretName(id: string): string {
  return `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${id}`;
}

/** The token id a Secret name stands for, or undefined when it is not a bootstrap-token name. */
export function idFromSecretName(name: string): string | undefined {
  return SECRET_NAME_RE.exec(name)?.[1];
}

/** A data value of the Secret as text (data is base64; stringData is folded in on write). */
export function secretString(secret: Secret, key: string): string | undefined {
  const v = secret.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

/** The expiration time, undefined when the token never expires, NaN when unparseable. */
export function expirationOf(secret: Secret): number | undefined {
  const raw = secretString(secret, KEY_EXPIRATION);
  if (raw === undefined || raw === '') return undefined;
  return Date.parse(raw);
}

/** As upstream's HasExpired: an unparseable expiration counts as expired (fail closed). */
export function hasExpired(secret: Secret, now: number): boolean {
  const at = expirationOf(secret);
  if (at === undefined) return false;
  return Number.isNaN(at) || now >= at;
}

/**
 * The groups a token authenticates into (upstream GetGroups): system:bootstrappers plus the
 * comma-separated auth-extra-groups, each of which must match system:bootstrappers:…; sorted,
 * without duplicates. Throws on an invalid extra group.
 */
export function groupsOf(secret: Secret): string[] {
  const groups = new Set([BOOTSTRAPPERS_GROUP]);
  const extra = secretString(secret, KEY_EXTRA_GROUPS);
  for (const raw of (extra ?? '').split(',')) {
    const g = raw.trim();
    if (!g) continue;
    if (!GROUP_RE.test(g)) throw new Error(`group "${g}" must match ${GROUP_RE.source}`);
    groups.add(g);
  }
  return [...groups].sort();
}

/** Usages set to "true" (authentication, signing), as `kubeadm token list` prints them. */
export function usagesOf(secret: Secret): string[] {
  return Object.keys(secret.data ?? {})
    .filter((k) => k.startsWith(USAGE_PREFIX) && secretString(secret, k) === 'true')
    .map((k) => k.slice(USAGE_PREFIX.length))
    .sort();
}

export interface NewTokenSecretOptions {
  token: BootstrapToken;
  /** Milliseconds from `now` until the token expires; 0 = never. */
  ttlMs: number;
  now?: number;
  description?: string;
  usages?: string[];
  groups?: string[];
}

/** The Secret that makes a token valid (what `kubeadm token create` writes). */
export function newTokenSecret(opts: NewTokenSecretOptions): Secret {
  const stringData: Record<string, string> = {
    [KEY_TOKEN_ID]: opts.token.id,
    [KEY_TOKEN_SECRET]: opts.token.secret,
  };
  if (opts.ttlMs > 0) stringData[KEY_EXPIRATION] = new Date((opts.now ?? Date.now()) + opts.ttlMs).toISOString().replace(/\.\d+Z$/, 'Z');
  if (opts.description) stringData[KEY_DESCRIPTION] = opts.description;
  for (const u of opts.usages ?? ['authentication', 'signing']) stringData[`${USAGE_PREFIX}${u}`] = 'true';
  const groups = opts.groups ?? [DEFAULT_NODE_TOKEN_GROUP];
  for (const g of groups) if (!GROUP_RE.test(g)) throw new Error(`group "${g}" must match ${GROUP_RE.source}`);
  if (groups.length) stringData[KEY_EXTRA_GROUPS] = groups.join(',');
  const data = Object.fromEntries(Object.entries(stringData).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: secretName(opts.token.id), namespace: BOOTSTRAP_TOKEN_NAMESPACE },
    type: BOOTSTRAP_TOKEN_SECRET_TYPE,
    data,
  };
}
