// Dates as people and scripts type them (ISO 8601: "2026-12-31", "2026-12-31T23:59:59Z"), read
// strictly: Date.parse turns "2027-02-30" into 2 March, and a key would expire on a day nobody
// asked for. Shared by the management handler and the CLI.

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))?)?$/;

/**
 * The instant an ISO 8601 date or date-time names, or `undefined` when the text is not one or
 * names a day or time that does not exist (February 30th, 25:00). A date alone is midnight UTC;
 * a date-time without an offset is in the local time zone, as `Date.parse` reads it.
 *
 * @example
 * ```ts
 * parseIsoDate('2027-02-28'); // Date 2027-02-28T00:00:00.000Z
 * parseIsoDate('2027-02-30'); // undefined
 * ```
 */
export function parseIsoDate(text: string): Date | undefined {
  if (typeof text !== 'string') return undefined;
  const match = ISO_DATE.exec(text.trim());
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, , offsetHours, offsetMinutes] = match;
  const monthNumber = Number(month);
  if (monthNumber < 1 || monthNumber > 12) return undefined;
  const dayNumber = Number(day);
  if (dayNumber < 1 || dayNumber > daysInMonth(Number(year), monthNumber)) return undefined;
  if (hour !== undefined && (Number(hour) > 23 || Number(minute) > 59)) return undefined;
  if (second !== undefined && Number(second) > 59) return undefined;
  if (offsetHours !== undefined && (Number(offsetHours) > 23 || Number(offsetMinutes) > 59)) {
    return undefined;
  }
  const time = Date.parse(text.trim());
  return Number.isNaN(time) ? undefined : new Date(time);
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
