// The cron schedule parser CronJob validation uses (robfig/cron v3's ParseStandard): five fields
// or an @descriptor, with the same error texts. Returns the expanded field sets so the CronJob
// controller can compute run times from the same parse.

import { parseGoDuration } from '../duration.js';

export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  months: Set<number>;
  daysOfWeek: Set<number>;
  /** True when the field was '*' or '?' (matters for the day-of-month/day-of-week OR rule). */
  domStar: boolean;
  dowStar: boolean;
  /** For "@every 1h30m": the period in milliseconds (whole seconds, at least one); the fields are then unused. */
  everyMs?: number;
  timeZone?: string;
}

export class CronParseError extends Error {}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const months: Bounds = { min: 1, max: 12, names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 } };
const dows: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

function atoi(expr: string): number {
  if (!/^[+-]?[0-9]+$/.test(expr)) throw new CronParseError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (n < 0) throw new CronParseError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function intOrName(expr: string, b: Bounds): number {
  const named = b.names?.[expr.toLowerCase()];
  return named ?? atoi(expr);
}

function parseRange(expr: string, b: Bounds, out: Set<number>): boolean {
  const rangeAndStep = expr.split('/');
  const lowHigh = rangeAndStep[0].split('-');
  let start: number;
  let end: number;
  let star = false;
  if (lowHigh[0] === '*' || lowHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = intOrName(lowHigh[0], b);
    if (lowHigh.length === 1) end = start;
    else if (lowHigh.length === 2) end = intOrName(lowHigh[1], b);
    else throw new CronParseError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = atoi(rangeAndStep[1]);
    if (lowHigh.length === 1) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new CronParseError(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new CronParseError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronParseError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) out.add(v);
  return star;
}

function parseField(field: string, b: Bounds): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  for (const expr of field.split(',').filter((s) => s !== '')) star = parseRange(expr, b, values) || star;
  return { values, star };
}

const all = (min: number, max: number) => new Set(Array.from({ length: max - min + 1 }, (_, i) => min + i));

const descriptors: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export function parseCronSchedule(spec: string): CronSchedule {
  if (spec.length === 0) throw new CronParseError('empty spec string');
  let timeZone: string | undefined;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const space = spec.indexOf(' ');
    const eq = spec.indexOf('=');
    timeZone = spec.slice(eq + 1, space < 0 ? spec.length : space);
    if (!isKnownTimeZone(timeZone)) throw new CronParseError(`provided bad location ${timeZone}: unknown time zone ${timeZone}`);
    spec = space < 0 ? '' : spec.slice(space).trim();
  }
  if (spec.startsWith('@')) {
    if (spec.startsWith('@every ')) {
      const d = spec.slice('@every '.length);
      const ms = parseGoDuration(d);
      if (ms === undefined) throw new CronParseError(`failed to parse duration ${spec}: time: invalid duration ${JSON.stringify(d)}`);
      // robfig/cron's Every: whole seconds, at least one.
      return { ...parseCronSchedule('* * * * *'), everyMs: Math.max(1000, Math.floor(ms / 1000) * 1000), timeZone };
    }
    const expanded = descriptors[spec];
    if (!expanded) throw new CronParseError(`unrecognized descriptor: ${spec}`);
    return { ...parseCronSchedule(expanded), timeZone };
  }
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) throw new CronParseError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const minute = parseField(fields[0], { min: 0, max: 59 });
  const hour = parseField(fields[1], { min: 0, max: 23 });
  const dom = parseField(fields[2], { min: 1, max: 31 });
  const month = parseField(fields[3], months);
  const dow = parseField(fields[4], dows);
  return {
    minutes: minute.values,
    hours: hour.values,
    daysOfMonth: dom.star ? all(1, 31) : dom.values,
    months: month.values,
    daysOfWeek: dow.star ? all(0, 6) : dow.values,
    domStar: dom.star,
    dowStar: dow.star,
    timeZone,
  };
}

/** IANA time zone names known to this runtime (time.LoadLocation's equivalent). */
export function isKnownTimeZone(name: string): boolean {
  if (name === 'UTC' || name === 'Local') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
