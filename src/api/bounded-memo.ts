// A pure function of a string, remembered for the strings it was last asked about: the same few
// texts come up at every write (timestamps, quantities, field keys). Bounded, because the texts
// are not (clients choose them): when full, it starts over. A call that throws remembers nothing.
export function boundedMemo<V>(limit: number, compute: (key: string) => V): (key: string) => V {
  const memo = new Map<string, V>();
  return (key) => {
    let v = memo.get(key);
    if (v === undefined) {
      v = compute(key);
      if (memo.size >= limit) memo.clear();
      memo.set(key, v);
    }
    return v;
  };
}
