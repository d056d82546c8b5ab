// Path elements of a field path, as structured-merge-diff names them, with the two renderings
// upstream uses: the FieldsV1 key ("f:name", "k:{...}", "v:...", "i:N") and the human form in
// conflict messages (".name", "[name=\"x\"]", "[=x]", "[N]"). The FieldsV1 key is canonical, so
// two elements are equal exactly when their keys are equal.

export type PathElement =
  | { field: string }
  /** A list-map entry: its key fields, sorted by name. */
  | { key: [string, unknown][] }
  /** A set element (a scalar of a listType=set list). */
  | { value: unknown }
  /** A position in a list that has no keys (rare: atomic lists are owned whole). */
  | { index: number };

export type Path = PathElement[];

/** JSON as Go's encoding/json writes it: object keys sorted, and <, >, & and U+2028/9 escaped. */
export function goJson(v: unknown): string {
  return canonicalJson(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort(compareStrings);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/** goJson without its general machinery for the usual key values (plain strings and numbers). */
export function keyJson(v: unknown): string {
  if (typeof v === 'number') return JSON.stringify(v);
  if (typeof v === 'string' && !/[<>&\u2028\u2029]/.test(v)) return JSON.stringify(v);
  return goJson(v);
}

/** The FieldsV1 key of one element. */
export function elementKey(pe: PathElement): string {
  if ('field' in pe) return `f:${pe.field}`;
  if ('key' in pe) {
    // The key fields keep their sorted order; writing them by hand keeps it explicit.
    let s = 'k:{';
    for (let i = 0; i < pe.key.length; i++) s += `${i ? ',' : ''}${keyJson(pe.key[i][0])}:${keyJson(pe.key[i][1])}`;
    return `${s}}`;
  }
  if ('value' in pe) return `v:${keyJson(pe.value)}`;
  return `i:${pe.index}`;
}

/** Parses a FieldsV1 key; throws on anything upstream would reject. */
export function parseElementKey(s: string): PathElement {
  const kind = s.slice(0, 2);
  const rest = s.slice(2);
  switch (kind) {
    case 'f:':
      return { field: rest };
    case 'k:': {
      const parsed: unknown = JSON.parse(rest);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`key ${JSON.stringify(s)} is not a JSON object`);
      const entries = Object.entries(parsed as Record<string, unknown>).sort(([a], [b]) => compareStrings(a, b));
      return { key: entries };
    }
    case 'v:':
      return { value: JSON.parse(rest) as unknown };
    case 'i:': {
      if (!/^-?\d+$/.test(rest)) throw new Error(`invalid index ${JSON.stringify(rest)}`);
      return { index: Number(rest) };
    }
    default:
      throw new Error(`unknown path element type in ${JSON.stringify(s)}`);
  }
}

/** Byte-wise comparison of strings (Go's strings.Compare on UTF-8), for code points below U+10000. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function valueRank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 2;
  if (typeof v === 'boolean') return 3;
  if (Array.isArray(v)) return 4;
  if (v !== null && typeof v === 'object') return 5;
  return 6; // null sorts last, as in structured-merge-diff's value.Compare
}

/** structured-merge-diff's total order of values: numbers < strings < bools < lists < maps < null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 2:
      return compareStrings(a as string, b as string);
    case 3:
      return a === b ? 0 : a ? 1 : -1;
    case 4: {
      const la = a as unknown[];
      const lb = b as unknown[];
      for (let i = 0; i < Math.min(la.length, lb.length); i++) {
        const c = compareValues(la[i], lb[i]);
        if (c !== 0) return c;
      }
      return la.length - lb.length;
    }
    case 5: {
      const ka = Object.keys(a as object).sort(compareStrings);
      const kb = Object.keys(b as object).sort(compareStrings);
      for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
        const c = compareStrings(ka[i], kb[i]) || compareValues((a as Record<string, unknown>)[ka[i]], (b as Record<string, unknown>)[kb[i]]);
        if (c !== 0) return c;
      }
      return ka.length - kb.length;
    }
    default:
      return 0;
  }
}

function elementRank(pe: PathElement): number {
  return 'field' in pe ? 0 : 'key' in pe ? 1 : 'value' in pe ? 2 : 3;
}

/** The order FieldsV1 is written in: field names, then keys, then values, then indexes. */
export function compareElements(a: PathElement, b: PathElement): number {
  const ra = elementRank(a);
  const rb = elementRank(b);
  if (ra !== rb) return ra - rb;
  if ('field' in a && 'field' in b) return compareStrings(a.field, b.field);
  if ('key' in a && 'key' in b) {
    for (let i = 0; i < Math.min(a.key.length, b.key.length); i++) {
      const c = compareStrings(a.key[i][0], b.key[i][0]) || compareValues(a.key[i][1], b.key[i][1]);
      if (c !== 0) return c;
    }
    return a.key.length - b.key.length;
  }
  if ('value' in a && 'value' in b) return compareValues(a.value, b.value);
  if ('index' in a && 'index' in b) return a.index - b.index;
  return 0;
}

/** Go's %v / %q rendering of a value inside a path string (value.ToString upstream). */
function valueString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(valueString).join(', ')}]`;
  return `{${Object.keys(v)
    .sort(compareStrings)
    .map((k) => `${k}=${valueString((v as Record<string, unknown>)[k])}`)
    .join(', ')}}`;
}

export function elementString(pe: PathElement): string {
  if ('field' in pe) return `.${pe.field}`;
  if ('key' in pe) return `[${pe.key.map(([k, v]) => `${k}=${valueString(v)}`).join(',')}]`;
  if ('value' in pe) return `[=${valueString(pe.value)}]`;
  return `[${pe.index}]`;
}

/** A path as conflict messages print it, e.g. .spec.template.spec.containers[name="app"].image */
export function pathString(path: Path): string {
  return path.map(elementString).join('');
}
