// A binary heap whose entries can be found, updated and removed by key (upstream
// internal/heap): activeQ and backoffQ are keyed by pod uid. As upstream's heapItem, each entry
// carries its own position, so moving entries while restoring order writes a field, not the
// key map (a pop from a queue of thousands moves an entry a dozen levels).

interface Entry<T> {
  item: T;
  key: string;
  /** Where the entry is in `entries`. */
  at: number;
}

export class KeyedHeap<T> {
  private readonly entries: Entry<T>[] = [];
  private readonly byKey = new Map<string, Entry<T>>();

  constructor(
    private readonly keyOf: (t: T) => string,
    private readonly less: (a: T, b: T) => boolean,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  get(key: string): T | undefined {
    return this.byKey.get(key)?.item;
  }

  peek(): T | undefined {
    return this.entries[0]?.item;
  }

  /** Adds t, or replaces the entry with the same key and restores order. */
  addOrUpdate(t: T): void {
    const key = this.keyOf(t);
    const e = this.byKey.get(key);
    if (e !== undefined) {
      e.item = t;
      if (!this.down(e.at)) this.up(e.at);
      return;
    }
    const added: Entry<T> = { item: t, key, at: this.entries.length };
    this.entries.push(added);
    this.byKey.set(key, added);
    this.up(added.at);
  }

  pop(): T | undefined {
    if (this.entries.length === 0) return undefined;
    const top = this.entries[0]!.item;
    this.removeAt(0);
    return top;
  }

  delete(key: string): T | undefined {
    const e = this.byKey.get(key);
    if (e === undefined) return undefined;
    this.removeAt(e.at);
    return e.item;
  }

  values(): T[] {
    return this.entries.map((e) => e.item);
  }

  private removeAt(i: number): void {
    const entries = this.entries;
    const last = entries.length - 1;
    this.byKey.delete(entries[i]!.key);
    if (i !== last) {
      const moved = entries[last]!;
      entries[i] = moved;
      moved.at = i;
    }
    entries.pop();
    if (i < entries.length && !this.down(i)) this.up(i);
  }

  private swap(i: number, j: number): void {
    const entries = this.entries;
    const a = entries[i]!;
    const b = entries[j]!;
    entries[i] = b;
    b.at = i;
    entries[j] = a;
    a.at = j;
  }

  private up(i: number): void {
    const entries = this.entries;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(entries[i]!.item, entries[p]!.item)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i0: number): boolean {
    const entries = this.entries;
    let i = i0;
    const n = entries.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(entries[r]!.item, entries[l]!.item) ? r : l;
      if (!this.less(entries[c]!.item, entries[i]!.item)) break;
      this.swap(i, c);
      i = c;
    }
    return i > i0;
  }
}
