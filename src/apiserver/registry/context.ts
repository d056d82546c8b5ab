// What a registry operation knows about the request that caused it.

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface RequestContext {
  user: UserInfo;
  /** dryRun=All: run every step but the storage write. */
  dryRun: boolean;
  /** The manager recorded in managedFields (fieldManager param, else derived from the user agent). */
  fieldManager: string;
  /** Warnings to return in `Warning: 299 - "..."` headers. */
  warnings: string[];
  now: Date;
  /** Server-side apply already computed metadata.managedFields for this write. */
  managedFieldsSet?: boolean;
}

const systemUser: UserInfo = { username: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] };

/** The context of a write the API server makes itself (bootstrap objects, the CRD controllers). */
export function systemContext(): RequestContext {
  return { user: systemUser, dryRun: false, fieldManager: 'kube-apiserver', warnings: [], now: new Date() };
}

// Every write formats its time at least twice (creationTimestamp, managedFields): remember the
// last second formatted.
let lastSecond = NaN;
let lastText = '';

/** metav1.Time: RFC 3339 with second precision, as upstream serializes it. */
export function formatTime(d: Date): string {
  const second = Math.floor(d.getTime() / 1000);
  if (second !== lastSecond) {
    lastText = d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    lastSecond = second;
  }
  return lastText;
}
