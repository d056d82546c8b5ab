// Cron schedule times in a time zone (upstream utils.go over robfig/cron's SpecSchedule.Next):
// the fields are matched against the wall clock of the CronJob's zone, found with Intl.
import { parseCronSchedule, type CronSchedule } from '../../api/validation/cron.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  return f;
}

/** The wall clock of `instant` in tz, as a ms value whose UTC fields are the wall fields. */
export function wallClock(instant: number, tz: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour % 24, parts.minute, parts.second) + (instant % 1000 + 1000) % 1000;
}

/** The instant whose wall clock in tz is `wall` (the earlier one across a DST overlap). */
function instantOf(wall: number, tz: string): number {
  const off1 = wallClock(wall, tz) - wall;
  let guess = wall - off1;
  const off2 = wallClock(guess, tz) - guess;
  if (off2 !== off1) guess = wall - off2;
  return guess;
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  const dom = s.daysOfMonth.has(d.getUTCDate());
  const dow = s.daysOfWeek.has(d.getUTCDay());
  return s.domStar || s.dowStar ? dom && dow : dom || dow;
}

/** The first schedule time strictly after `after` (ms), or undefined within ~5 years. */
export function nextScheduleTime(s: CronSchedule, after: number, tz = 'UTC'): number | undefined {
  // "@every D" (robfig's ConstantDelaySchedule): D after `after`, its fraction of a second dropped.
  if (s.everyMs !== undefined) return Math.floor(after / 1000) * 1000 + s.everyMs;
  const startWall = wallClock(after, tz);
  let w = Math.floor(startWall / 60_000) * 60_000 + 60_000;
  const limit = w + 5 * 366 * 86_400_000;
  while (w < limit) {
    const d = new Date(w);
    if (!s.months.has(d.getUTCMonth() + 1)) {
      w = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      continue;
    }
    if (!dayMatches(s, d)) {
      w = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
      continue;
    }
    if (!s.hours.has(d.getUTCHours())) {
      w = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
      continue;
    }
    if (!s.minutes.has(d.getUTCMinutes())) {
      w += 60_000;
      continue;
    }
    const t = instantOf(w, tz);
    if (t > after) return t;
    w += 60_000;
  }
  return undefined;
}

export interface MissedSchedules {
  /** The most recent schedule time in (earliest, now], if any. */
  mostRecent?: number;
  /** How many schedule times fell in (earliest, now] (counting stops a little past 100). */
  missed: number;
  /** The next schedule time after now. */
  next?: number;
}

/** Upstream mostRecentScheduleTime: schedule times between the last run (or creation) and now. */
export function missedSchedules(s: CronSchedule, earliest: number, now: number, tz = 'UTC'): MissedSchedules {
  let missed = 0;
  let mostRecent: number | undefined;
  if (s.everyMs !== undefined) {
    // A constant period: the times are earliest's next plus whole periods, counted directly.
    const first = nextScheduleTime(s, earliest, tz)!;
    if (now < first) return { missed: 0, next: first };
    const k = Math.floor((now - first) / s.everyMs);
    mostRecent = first + k * s.everyMs;
    return { mostRecent, missed: k + 1, next: mostRecent + s.everyMs };
  }
  let t = nextScheduleTime(s, earliest, tz);
  while (t !== undefined && t <= now) {
    missed++;
    mostRecent = t;
    if (missed > 100) {
      // Jump near now instead of walking every missed time: count is only compared against 100.
      const near = nextScheduleTime(s, Math.max(t, now - 7 * 86_400_000), tz);
      if (near !== undefined && near > t && near <= now) {
        t = near;
        mostRecent = near;
        for (let u = nextScheduleTime(s, near, tz); u !== undefined && u <= now; u = nextScheduleTime(s, u, tz)) mostRecent = u;
      }
      break;
    }
    t = nextScheduleTime(s, t, tz);
  }
  return { mostRecent, missed, next: nextScheduleTime(s, Math.max(now, mostRecent ?? now), tz) };
}

/** Parses spec.schedule; a TZ= prefix wins over spec.timeZone, as upstream. */
export function parseSchedule(schedule: string, timeZone: string | undefined): { schedule: CronSchedule; tz: string } {
  const s = parseCronSchedule(schedule);
  return { schedule: s, tz: s.timeZone ?? timeZone ?? localTimeZone() };
}

/** The controller's own zone (upstream uses the kube-controller-manager's local time). */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** The scheduled-timestamp annotation value: RFC 3339 in the schedule's zone (upstream formats in the zone). */
export function formatInZone(instant: number, tz: string): string {
  const wall = wallClock(instant, tz);
  const offMin = Math.round((wall - instant) / 60_000);
  const base = new Date(wall).toISOString().replace(/\.\d{3}Z$/, '');
  if (offMin === 0) return `${base}Z`;
  const sign = offMin > 0 ? '+' : '-';
  const a = Math.abs(offMin);
  return `${base}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}
