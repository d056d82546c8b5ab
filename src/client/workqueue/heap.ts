// A binary min-heap that tracks each entry's index, so an entry's key can be lowered in place
// (the delaying queue moves an item's ready time earlier when it is re-added sooner).

export interface HeapEntry {
  /** Maintained by the heap: the entry's position, -1 when not in the heap. */
  index: number;
}

export class MinHeap<E extends HeapEntry> {
  private readonly items: E[] = [];

  constructor(private readonly less: (a: E, b: E) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): E | undefined {
    return this.items[0];
  }

  push(e: E): void {
    e.index = this.items.length;
    this.items.push(e);
    this.up(e.index);
  }

  pop(): E | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    this.swap(0, n - 1);
    const top = this.items.pop()!;
    top.index = -1;
    if (this.items.length > 0) this.down(0);
    return top;
  }

  /** Restores order after e's key changed. */
  fix(e: E): void {
    if (!this.down(e.index)) this.up(e.index);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(this.items[i], this.items[parent])) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i0: number): boolean {
    let i = i0;
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && this.less(this.items[r], this.items[l]) ? r : l;
      if (!this.less(this.items[child], this.items[i])) break;
      this.swap(i, child);
      i = child;
    }
    return i > i0;
  }

  private swap(a: number, b: number): void {
    const x = this.items[a];
    const y = this.items[b];
    this.items[a] = y;
    this.items[b] = x;
    x.index = b;
    y.index = a;
  }
}
