// A set of field paths, stored as a tree the way structured-merge-diff's fieldpath.Set is:
// at each node, `members` are paths that end here and `children` are subtrees. A path can be
// both a member and a prefix of others (FieldsV1 writes that as a "." entry). Sets are
// immutable once built: an operation returns a new set, or one of its operands (or their
// subtrees) unchanged when the result equals it — so "the same object" means "unchanged", which
// lets managedFields reuse an unchanged manager's encoding.
import { compareElements, elementKey, type Path, type PathElement } from './path.js';

interface Child {
  pe: PathElement;
  set: FieldSet;
}

export class FieldSet {
  /**
   * Sets made by operations may share these maps with their operands (sets are immutable), so
   * the building methods (insert, addMember, child) are only for a set the builder made itself.
   */
  constructor(
    private readonly members = new Map<string, PathElement>(),
    private readonly children = new Map<string, Child>(),
  ) {}

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Adds a path in place; only for building a set before it is shared. */
  insert(path: Path): void {
    this.insertKeyed(path, path.map(elementKey), path.length);
  }

  /** insert() of the first `length` elements of path, whose FieldsV1 keys the caller has. */
  insertKeyed(path: readonly PathElement[], keys: readonly string[], length: number): void {
    if (length === 0) return;
    let node: FieldSet = this;
    for (let i = 0; i < length - 1; i++) node = node.child(path[i], keys[i]);
    node.members.set(keys[length - 1], path[length - 1]);
  }

  /** Adds pe as a member of this node (building only). */
  addMember(pe: PathElement, k = elementKey(pe)): void {
    this.members.set(k, pe);
  }

  /** The subtree under pe, created if absent (building only). */
  child(pe: PathElement, k = elementKey(pe)): FieldSet {
    let c = this.children.get(k);
    if (!c) {
      c = { pe, set: new FieldSet() };
      this.children.set(k, c);
    }
    return c.set;
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    let node: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && node; i++) node = node.children.get(elementKey(path[i]))?.set;
    return !!node && node.members.has(elementKey(path[path.length - 1]));
  }

  hasMember(pe: PathElement): boolean {
    return this.members.has(elementKey(pe));
  }

  /** hasMember by FieldsV1 key. */
  hasMemberKey(k: string): boolean {
    return this.members.has(k);
  }

  /** The subtree under the element with FieldsV1 key k, if there is one (possibly empty). */
  withPrefixKey(k: string): FieldSet | undefined {
    return this.children.get(k)?.set;
  }

  /** The paths below pe, relative to it (empty if none). */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(elementKey(pe))?.set ?? EMPTY;
  }

  isEmpty(): boolean {
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.set.isEmpty()) return false;
    return true;
  }

  /** No members and no subtrees at all (cheaper than isEmpty, which looks through empty subtrees). */
  private isBare(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  /** This set with o's paths added; this (or o) itself when the other adds nothing. */
  union(o: FieldSet): FieldSet {
    if (o === this || o.isBare()) return this;
    if (this.isBare()) return o;
    let members: Map<string, PathElement> | undefined;
    for (const [k, pe] of o.members) {
      if (this.members.has(k)) continue;
      members ??= new Map(this.members);
      members.set(k, pe);
    }
    let children: Map<string, Child> | undefined;
    for (const [k, c] of o.children) {
      const mine = this.children.get(k);
      const set = mine ? mine.set.union(c.set) : c.set;
      if (mine && set === mine.set) continue;
      if (!mine && set.isEmpty()) continue;
      children ??= new Map(this.children);
      children.set(k, { pe: mine?.pe ?? c.pe, set });
    }
    if (!members && !children) return this;
    return new FieldSet(members ?? this.members, children ?? this.children);
  }

  /** True when some path is in both sets (intersection(o) is not empty), without building it. */
  intersects(o: FieldSet): boolean {
    const [small, large] = this.members.size <= o.members.size ? [this, o] : [o, this];
    for (const k of small.members.keys()) if (large.members.has(k)) return true;
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      if (oc && c.set.intersects(oc.set)) return true;
    }
    return false;
  }

  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    if (this.isBare() || o.isBare()) return out;
    for (const [k, pe] of this.members) if (o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      if (oc) out.children.set(k, { pe: c.pe, set: c.set.intersection(oc.set) });
    }
    return out.pruned();
  }

  /** Removes o's paths, exactly: a member of o does not remove the paths below it. This itself when nothing is removed. */
  difference(o: FieldSet): FieldSet {
    return this.without(o, false);
  }

  /** Removes o's paths and everything below o's members. This itself when nothing is removed. */
  recursiveDifference(o: FieldSet): FieldSet {
    return this.without(o, true);
  }

  private without(o: FieldSet, recursive: boolean): FieldSet {
    if (o.isBare() || this.isBare()) return this;
    let members: Map<string, PathElement> | undefined;
    for (const k of this.members.keys()) {
      if (!o.members.has(k)) continue;
      members ??= new Map(this.members);
      members.delete(k);
    }
    let children: Map<string, Child> | undefined;
    for (const [k, c] of this.children) {
      let set: FieldSet;
      if (recursive && o.members.has(k)) {
        set = EMPTY;
      } else {
        const oc = o.children.get(k);
        if (!oc) continue;
        set = c.set.without(oc.set, recursive);
        if (set === c.set) continue;
      }
      children ??= new Map(this.children);
      if (set.isEmpty()) children.delete(k);
      else children.set(k, { pe: c.pe, set });
    }
    if (!members && !children) return this;
    return new FieldSet(members ?? this.members, children ?? this.children);
  }

  /**
   * Makes every child reached through a named struct field also a member (SMD's
   * EnsureNamedFieldsAreMembers). `ctx` is the caller's position (a schema node), moved along
   * by `descend`.
   */
  withNamedFieldsAsMembers<C>(ctx: C, isNamedField: (ctx: C, pe: PathElement) => boolean, descend: (ctx: C, pe: PathElement) => C): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      if ('field' in c.pe && isNamedField(ctx, c.pe)) out.members.set(k, c.pe);
      out.children.set(k, { pe: c.pe, set: c.set.withNamedFieldsAsMembers(descend(ctx, c.pe), isNamedField, descend) });
    }
    return out;
  }

  /** Every member path, in FieldsV1 order. */
  paths(): Path[] {
    const out: Path[] = [];
    this.walk([], (p) => out.push(p));
    return out;
  }

  private walk(prefix: Path, visit: (p: Path) => void): void {
    for (const { pe, member, child } of this.entries()) {
      if (member) visit([...prefix, pe]);
      if (child) child.walk([...prefix, pe], visit);
    }
  }

  /**
   * Whether fn holds for some element of this node (its FieldsV1 key, whether it is a member,
   * its subtree if any), in no particular order: entries() without sorting or allocating.
   */
  someEntry(fn: (key: string, member: boolean, child: FieldSet | undefined) => boolean): boolean {
    for (const k of this.members.keys()) if (fn(k, true, this.children.get(k)?.set)) return true;
    for (const [k, c] of this.children) if (!this.members.has(k) && fn(k, false, c.set)) return true;
    return false;
  }

  /** Members and children merged, sorted as FieldsV1 writes them, with their FieldsV1 keys. */
  entries(): { key: string; pe: PathElement; member: boolean; child?: FieldSet }[] {
    const out: { key: string; pe: PathElement; member: boolean; child?: FieldSet }[] = [];
    for (const [key, pe] of this.members) {
      const c = this.children.get(key);
      out.push({ key, pe, member: true, child: c && !c.set.isEmpty() ? c.set : undefined });
    }
    for (const [key, c] of this.children) {
      if (!this.members.has(key) && !c.set.isEmpty()) out.push({ key, pe: c.pe, member: false, child: c.set });
    }
    return out.sort((a, b) => compareElements(a.pe, b.pe));
  }

  equals(o: FieldSet): boolean {
    return this.difference(o).isEmpty() && o.difference(this).isEmpty();
  }

  private pruned(): FieldSet {
    for (const [k, c] of this.children) if (c.set.isEmpty()) this.children.delete(k);
    return this;
  }
}

const EMPTY = new FieldSet();

export const union = (a: FieldSet, b: FieldSet): FieldSet => a.union(b);
export const intersection = (a: FieldSet, b: FieldSet): FieldSet => a.intersection(b);
export const difference = (a: FieldSet, b: FieldSet): FieldSet => a.difference(b);
