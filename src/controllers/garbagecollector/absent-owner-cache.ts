// Owners verified absent by a live GET (upstream's ReferenceCache / absentOwnerCache): a bounded
// LRU so that many dependents of one deleted owner cost one GET, not one each. Entries are keyed
// by full identity (uid included), so a later object with the same name is never mistaken for it.
import { identityKey, type ObjectIdentity } from './identity.js';

export class AbsentOwnerCache {
  private readonly entries = new Map<string, true>();

  constructor(private readonly capacity = 500) {}

  add(id: ObjectIdentity): void {
    const key = identityKey(id);
    this.entries.delete(key);
    this.entries.set(key, true);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  has(id: ObjectIdentity): boolean {
    const key = identityKey(id);
    if (!this.entries.has(key)) return false;
    // Refresh recency.
    this.entries.delete(key);
    this.entries.set(key, true);
    return true;
  }
}
