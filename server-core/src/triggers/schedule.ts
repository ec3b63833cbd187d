import { Cron } from 'croner';

export class ScheduleError extends Error {}

/** Whether `zone` is an IANA time zone this runtime knows. */
function checkTimeZone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new ScheduleError(`timeZone: ${zone} is not a time zone (use an IANA name like Europe/Paris or UTC)`);
  }
}

/**
 * A cron schedule: five fields, or six with seconds first (`*\/10 * * * * *`), in a time
 * zone. Throws a ScheduleError naming the field when either is wrong.
 */
export function schedule(cron: string, timeZone: string): Cron {
  checkTimeZone(timeZone);
  const fields = cron.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) throw new ScheduleError(`cron: ${JSON.stringify(cron)} has ${fields} fields; give five (minute hour day month weekday) or six (seconds first)`);
  try {
    return new Cron(cron.trim(), { timezone: timeZone, paused: true });
  } catch (err) {
    throw new ScheduleError(`cron: ${JSON.stringify(cron)} is not a cron expression (${(err as Error).message})`);
  }
}

/** The first due time strictly after `afterMs` (epoch ms), or null when the schedule never fires again. */
export function nextDue(cron: string, timeZone: string, afterMs: number): number | null {
  const next = schedule(cron, timeZone).nextRun(new Date(afterMs));
  return next ? next.getTime() : null;
}
