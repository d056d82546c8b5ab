// metav1.Time and metav1.MicroTime as upstream decodes and re-encodes them: Time accepts any
// RFC 3339 timestamp and is stored in UTC to the second; MicroTime must carry exactly six
// fractional digits (Go parses it with the layout 2006-01-02T15:04:05.000000Z07:00). A value
// that does not parse is a decode error naming the field.
import { boundedMemo } from './bounded-memo.js';

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export interface TimeError {
  field: string;
  value: string;
  message: string;
}

function parse(value: string, micro: boolean): { date: Date; micros: number } | string {
  const m = rfc3339.exec(value);
  const layout = micro ? '2006-01-02T15:04:05.000000Z07:00' : '2006-01-02T15:04:05Z07:00';
  if (!m) return `parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse`;
  const frac = m[7] ?? '';
  if (micro && frac.length !== 7) return `parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(value.slice(19))} as ".000000"`;
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[8].toUpperCase()}`);
  if (Number.isNaN(ms)) return `parsing time ${JSON.stringify(value)}: day or month out of range`;
  return { date: new Date(ms), micros: frac ? Number(frac.slice(1, 7).padEnd(6, '0')) : 0 };
}

function format(date: Date, micros: number | undefined): string {
  const base = date.toISOString().slice(0, 19);
  return micros === undefined ? `${base}Z` : `${base}.${String(micros).padStart(6, '0')}Z`;
}

type Canonical = { value: string; error?: undefined } | { error: string; value?: undefined };

// Every write carries the same few timestamps again and again (creationTimestamp, managedFields
// times, the conditions of a status): the last results are kept, keyed by precision and text.
// The function is pure, so a hit is exactly what parsing would give.
const recent = boundedMemo(4096, (key): Canonical => {
  const micro = key[0] === 'm';
  const r = parse(key.slice(1), micro);
  return typeof r === 'string' ? { error: r } : { value: format(r.date, micro ? r.micros : undefined) };
});

/** One Time (micro: MicroTime) value in upstream's serialized form, or why it does not parse. */
export function canonicalTime(value: string, micro: boolean): Canonical {
  return recent(micro ? `m${value}` : `s${value}`);
}

/** metav1.Time's JSON form for a clock reading (ms): RFC 3339 in UTC with whole seconds. */
export function formatMetaTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
