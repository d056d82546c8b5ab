// The bootstrap-token check (upstream plugin/pkg/auth/authenticator/token/bootstrap): which user a
// "<id>.<secret>" bearer token stands for, given a way to read its Secret. Every failure is "not
// this authenticator's token" (undefined), never an error, so other authenticators still run.
import { timingSafeEqual } from 'node:crypto';
import type { Secret } from 'kubernetes-types/core/v1.js';
import {
  BOOTSTRAP_TOKEN_NAMESPACE,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  BOOTSTRAP_USER_PREFIX,
  KEY_TOKEN_ID,
  KEY_TOKEN_SECRET,
  USAGE_AUTHENTICATION,
  groupsOf,
  hasExpired,
  parseToken,
  secretName,
  secretString,
} from './token.js';

export interface BootstrapUser {
  username: string;
  groups: string[];
}

/** Why a token was refused, for debug logs (never sent to the client). */
export type Rejection = 'not a bootstrap token' | 'no such secret' | 'secret is being deleted' | 'wrong secret type' | 'secret mismatch' | 'token id mismatch' | 'expired' | 'not for authentication' | 'invalid extra groups';

export type SecretLookup = (namespace: string, name: string) => Secret | undefined | Promise<Secret | undefined>;

function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  // Lengths differ only when the stored secret is malformed; compare against itself so the time
  // does not depend on where the strings differ.
  if (x.length !== y.length) {
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

export async function authenticateBootstrapToken(token: string, lookup: SecretLookup, now = Date.now()): Promise<{ user: BootstrapUser } | { rejected: Rejection }> {
  const parsed = parseToken(token);
  if (!parsed) return { rejected: 'not a bootstrap token' };
  const secret = await lookup(BOOTSTRAP_TOKEN_NAMESPACE, secretName(parsed.id));
  if (!secret) return { rejected: 'no such secret' };
  if (secret.metadata?.deletionTimestamp) return { rejected: 'secret is being deleted' };
  if (secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE || !secret.data) return { rejected: 'wrong secret type' };
  if (!constantTimeEqual(secretString(secret, KEY_TOKEN_SECRET) ?? '', parsed.secret)) return { rejected: 'secret mismatch' };
  if (secretString(secret, KEY_TOKEN_ID) !== parsed.id) return { rejected: 'token id mismatch' };
  if (hasExpired(secret, now)) return { rejected: 'expired' };
  if (secretString(secret, USAGE_AUTHENTICATION) !== 'true') return { rejected: 'not for authentication' };
  let groups: string[];
  try {
    groups = groupsOf(secret);
  } catch {
    return { rejected: 'invalid extra groups' };
  }
  return { user: { username: `${BOOTSTRAP_USER_PREFIX}${parsed.id}`, groups } };
}
