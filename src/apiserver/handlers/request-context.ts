// Query parameters shared by the write verbs: dryRun, fieldManager, fieldValidation.
import { badRequest } from '../../api/status.js';
import type { RequestContext, UserInfo } from '../registry/context.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function writeContext(query: URLSearchParams, user: UserInfo, userAgent: string | undefined, now = new Date()): RequestContext {
  const dryRun = query.getAll('dryRun');
  for (const d of dryRun) {
    if (d !== 'All') throw badRequest(`Invalid dry run value: ${JSON.stringify(d)}: supported values: "All"`);
  }
  const fieldManager = query.get('fieldManager') ?? managerFromUserAgent(userAgent);
  if (fieldManager.length > 128) throw badRequest('fieldManager: Too long: may not be more than 128 bytes');
  return { user, dryRun: dryRun.length > 0, fieldManager, warnings: [], now };
}

export function fieldValidation(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation') ?? 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation: Unsupported value: ${JSON.stringify(v)}: supported values: "Ignore", "Strict", "Warn"`);
}

/** Upstream's default manager: the user agent up to the first '/'. */
export function managerFromUserAgent(ua: string | undefined): string {
  if (!ua) return 'unknown';
  const slash = ua.indexOf('/');
  const prefix = (slash < 0 ? ua : ua.slice(0, slash)).trim();
  return prefix || 'unknown';
}
