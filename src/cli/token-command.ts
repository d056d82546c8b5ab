// `k8ts token create|list|delete`: bootstrap tokens for joining nodes, as `kubeadm token`. A token
// is a Secret bootstrap-token-<id> in kube-system, made through the API with the admin's
// credentials (--kubeconfig, else DATA_DIR/kubeconfig of `k8ts server`). `create
// --print-join-command` prints the whole `k8ts agent` line, with the CA's public-key pin.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Secret } from 'kubernetes-types/core/v1.js';
import { parseGoDuration } from '../api/duration.js';
import { caCertHash } from '../auth/bootstrap/ca-hash.js';
import {
  BOOTSTRAP_TOKEN_NAMESPACE,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  DEFAULT_NODE_TOKEN_GROUP,
  KEY_DESCRIPTION,
  KEY_EXTRA_GROUPS,
  KEY_TOKEN_ID,
  KEY_TOKEN_SECRET,
  expirationOf,
  formatToken,
  generateToken,
  newTokenSecret,
  parseToken,
  secretName,
  secretString,
  usagesOf,
} from '../auth/bootstrap/token.js';
import type { ClientConfig } from '../client/kubeconfig/client-config.js';
import { loadConfig } from '../client/kubeconfig/load.js';
import { Client } from '../client/rest/client.js';
import { resources } from '../client/rest/builtin-resources.js';
import { isAlreadyExists, isNotFound } from '../client/rest/errors.js';
import { CliError, messageOf } from './errors.js';
import { DEFAULT_DATA_DIR } from './server-options.js';

export interface TokenConnectionFlags {
  kubeconfig?: string;
  dataDir?: string;
}

export interface TokenCreateFlags extends TokenConnectionFlags {
  ttl: string;
  description?: string;
  usages: string;
  groups: string;
  printJoinCommand?: boolean;
  /** The API server URL other machines use (default: the kubeconfig's). */
  server?: string;
}

/** Whether a URL names this host only (a join command with it works on this machine alone). */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.startsWith('127.') || host === '::1';
}

type Out = (s: string) => void;
const stdout: Out = (s) => void process.stdout.write(s);

/** Go duration ("24h", "1h30m", "90s", "0") in milliseconds. */
export function parseDuration(v: string): number {
  const ms = parseGoDuration(v.trim());
  if (ms === undefined || ms < 0) throw new CliError(`invalid duration "${v}" (use e.g. 24h, 1h30m, 0 for never)`);
  return ms;
}

/** Go's duration.ShortHumanDuration, as kubeadm's TTL column. */
function shortHuman(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 0) return '<invalid>';
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h`;
  if (s < 8 * 365 * 86400) return `${Math.floor(s / 86400)}d`;
  return `${Math.floor(s / (365 * 86400))}y`;
}

function connectionConfig(flags: TokenConnectionFlags): ClientConfig {
  try {
    if (flags.kubeconfig) return loadConfig({ kubeconfig: flags.kubeconfig });
    const fromDataDir = join(resolve(flags.dataDir ?? DEFAULT_DATA_DIR), 'kubeconfig');
    if (flags.dataDir || existsSync(fromDataDir)) return loadConfig({ kubeconfig: fromDataDir });
    return loadConfig();
  } catch (err) {
    throw new CliError(messageOf(err), { cause: err });
  }
}

async function withClient<T>(flags: TokenConnectionFlags, fn: (client: Client, config: ClientConfig) => Promise<T>): Promise<T> {
  const config = connectionConfig(flags);
  const client = Client.fromConfig(config);
  try {
    return await fn(client, config);
  } catch (err) {
    throw err instanceof CliError ? err : new CliError(messageOf(err), { cause: err });
  } finally {
    await client.close();
  }
}

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

export async function runTokenCreate(tokenArg: string | undefined, flags: TokenCreateFlags, out: Out = stdout): Promise<void> {
  const ttlMs = parseDuration(flags.ttl);
  let token = generateToken();
  if (tokenArg) {
    const given = parseToken(tokenArg);
    if (!given) throw new CliError(`the token "${tokenArg}" must be of the form [a-z0-9]{6}.[a-z0-9]{16}`);
    token = given;
  }
  let secret: Secret;
  try {
    secret = newTokenSecret({ token, ttlMs, description: flags.description, usages: list(flags.usages), groups: list(flags.groups) });
  } catch (err) {
    throw new CliError(messageOf(err), { cause: err });
  }
  await withClient(flags, async (client, config) => {
    try {
      await client.resource(resources.secrets).create(secret as never, { namespace: BOOTSTRAP_TOKEN_NAMESPACE });
    } catch (err) {
      if (isAlreadyExists(err)) throw new CliError(`a token with id "${token.id}" already exists`, { cause: err });
      throw err;
    }
    if (!flags.printJoinCommand) {
      out(`${formatToken(token)}\n`);
      return;
    }
    const server = flags.server ?? config.server;
    // `k8ts up` listens on loopback unless told otherwise; say so rather than guess an address.
    if (isLoopbackUrl(server)) process.stderr.write(`k8ts: note: ${server} is reachable from this machine only; to join another one, run the server with --bind 0.0.0.0 and pass --server https://<its address>:<port>\n`);
    const args = ['k8ts', 'agent', '--server', server, '--token', formatToken(token)];
    if (config.ca) args.push('--ca-cert-hash', caCertHash(config.ca));
    else process.stderr.write('k8ts: warning: the kubeconfig names no CA (system roots): add --ca-file or --ca-cert-hash to the join command\n');
    out(`${args.join(' ')}\n`);
  });
}

export async function runTokenList(flags: TokenConnectionFlags, out: Out = stdout): Promise<void> {
  await withClient(flags, async (client) => {
    const secrets = await client.resource(resources.secrets).list({ namespace: BOOTSTRAP_TOKEN_NAMESPACE, fieldSelector: `type=${BOOTSTRAP_TOKEN_SECRET_TYPE}` });
    const rows = [['TOKEN', 'TTL', 'EXPIRES', 'USAGES', 'DESCRIPTION', 'EXTRA GROUPS']];
    const now = Date.now();
    for (const s of secrets.items) {
      const id = secretString(s, KEY_TOKEN_ID);
      const sec = secretString(s, KEY_TOKEN_SECRET);
      if (!id || !sec || s.metadata?.name !== secretName(id)) continue;
      const at = expirationOf(s);
      const ttl = at === undefined ? '<forever>' : Number.isNaN(at) ? '<invalid>' : shortHuman(at - now);
      const expires = at === undefined ? '<never>' : Number.isNaN(at) ? '<invalid>' : new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');
      rows.push([`${id}.${sec}`, ttl, expires, usagesOf(s).join(',') || '<none>', secretString(s, KEY_DESCRIPTION) || '<none>', secretString(s, KEY_EXTRA_GROUPS) || '<none>']);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) out(`${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('')}\n`);
  });
}

export async function runTokenDelete(ids: string[], flags: TokenConnectionFlags, out: Out = stdout): Promise<void> {
  if (!ids.length) throw new CliError('missing subcommand; "token delete" is missing token of form [a-z0-9]{6} or [a-z0-9]{6}.[a-z0-9]{16}');
  // Every argument is checked before anything is deleted.
  const tokenIds = ids.map((given) => {
    const id = parseToken(given)?.id ?? (/^[a-z0-9]{6}$/.test(given) ? given : undefined);
    if (!id) throw new CliError(`given token didn't match pattern [a-z0-9]{6} or [a-z0-9]{6}.[a-z0-9]{16}: ${given}`);
    return id;
  });
  await withClient(flags, async (client) => {
    for (const id of tokenIds) {
      try {
        await client.resource(resources.secrets).delete(secretName(id), { namespace: BOOTSTRAP_TOKEN_NAMESPACE });
      } catch (err) {
        if (isNotFound(err)) throw new CliError(`bootstrap token "${id}" not found`, { cause: err });
        throw err;
      }
      out(`bootstrap token "${id}" deleted\n`);
    }
  });
}

export { DEFAULT_NODE_TOKEN_GROUP };
