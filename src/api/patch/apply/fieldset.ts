// A set of field paths, stored as a tree the way structured-merge-diff's fieldpath.Set is:
// at each node, `members` are paths that end here and `children` are subtrees. A path can be
// both a member and a prefix of others (FieldsV1 writes that as a "." entry). Sets are
// immutable once built; every operation returns a new set.
import { compareElements, elementKey, type Path, type PathElement } from './path.js';

interface Child {
  pe: PathElement;
  set: FieldSet;
}

export class FieldSet {
  private readonly members = new Map<string, PathElement>();
  private readonly children = new Map<string, Child>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Adds a path in place; only for building a set before it is shared. */
  insert(path: Path): void {
    if (path.length === 0) return;
    let node: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) node = node.child(path[i]);
    const last = path[path.length - 1];
    node.members.set(elementKey(last), last);
  }

  /** Adds pe as a member of this node (building only). */
  addMember(pe: PathElement): void {
    this.members.set(elementKey(pe), pe);
  }

  /** The subtree under pe, created if absent (building only). */
  child(pe: PathElement): FieldSet {
    const k = elementKey(pe);
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

  /** The paths below pe, relative to it (empty if none). */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(elementKey(pe))?.set ?? EMPTY;
  }

  isEmpty(): boolean {
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.set.isEmpty()) return false;
    return true;
  }

  union(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const s of [this, o]) for (const [k, pe] of s.members) out.members.set(k, pe);
    for (const s of [this, o]) {
      for (const [k, c] of s.children) {
        const prev = out.children.get(k);
        out.children.set(k, { pe: c.pe, set: prev ? prev.set.union(c.set) : c.set });
      }
    }
    return out.pruned();
  }

  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      if (oc) out.children.set(k, { pe: c.pe, set: c.set.intersection(oc.set) });
    }
    return out.pruned();
  }

  /** Removes o's paths, exactly: a member of o does not remove the paths below it. */
  difference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      out.children.set(k, { pe: c.pe, set: oc ? c.set.difference(oc.set) : c.set });
    }
    return out.pruned();
  }

  /** Removes o's paths and everything below o's members. */
  recursiveDifference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      if (o.members.has(k)) continue;
      const oc = o.children.get(k);
      out.children.set(k, { pe: c.pe, set: oc ? c.set.recursiveDifference(oc.set) : c.set });
    }
    return out.pruned();
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

  /** Members and children merged, sorted as FieldsV1 writes them. */
  entries(): { pe: PathElement; member: boolean; child?: FieldSet }[] {
    const keys = new Map<string, PathElement>();
    for (const [k, pe] of this.members) keys.set(k, pe);
    for (const [k, c] of this.children) if (!c.set.isEmpty()) keys.set(k, c.pe);
    return [...keys.entries()]
      .sort(([, a], [, b]) => compareElements(a, b))
      .map(([k, pe]) => {
        const c = this.children.get(k);
        return { pe, member: this.members.has(k), child: c && !c.set.isEmpty() ? c.set : undefined };
      });
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
