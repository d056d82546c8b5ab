// The two domains with the fewest matching pods for one constraint (upstream criticalPaths).
// paths[0] always holds the global minimum; paths[1] is ≥ it but not necessarily the second
// smallest. Two suffice because preemption only ever removes pods from one node (one domain) of
// a cloned state at a time.
export interface CriticalPath {
  topologyValue: string;
  matchNum: number;
}

const MAX_INT32 = 2147483647;

export class CriticalPaths {
  readonly paths: [CriticalPath, CriticalPath] = [
    { topologyValue: '', matchNum: MAX_INT32 },
    { topologyValue: '', matchNum: MAX_INT32 },
  ];

  get min(): number {
    return this.paths[0].matchNum;
  }

  update(tpVal: string, num: number): void {
    const p = this.paths;
    const i = tpVal === p[0].topologyValue ? 0 : tpVal === p[1].topologyValue ? 1 : undefined;
    if (i !== undefined) {
      p[i] = { topologyValue: tpVal, matchNum: num };
      if (p[0].matchNum > p[1].matchNum) [p[0], p[1]] = [p[1], p[0]];
    } else if (num < p[0].matchNum) {
      p[1] = p[0];
      p[0] = { topologyValue: tpVal, matchNum: num };
    } else if (num < p[1].matchNum) {
      p[1] = { topologyValue: tpVal, matchNum: num };
    }
  }

  clone(): CriticalPaths {
    const c = new CriticalPaths();
    c.paths[0] = { ...this.paths[0] };
    c.paths[1] = { ...this.paths[1] };
    return c;
  }
}
