/** Text for times and durations, as an operator reads them. */

/** A whole number of seconds (at least 1) in its largest unit: "3 s", "5 min", "2 h", "3 d". */
function roughSpan(s: number): string {
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

/** A day as "Jan 15, 2026" in the reader's locale. */
export function formatDay(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

/** "just now", "3 s ago", "5 min ago", "2 h ago", "3 d ago"; a date past a week. */
export function relativeTime(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.floor((now - t) / 1000);
  if (s < 1) return 'just now';
  if (s >= 7 * 86_400) return formatDay(iso);
  return `${roughSpan(s)} ago`;
}

/** A coming moment: "in 40 s", "in 5 min", "in 13 d"; "passed" once it is not ahead any more. */
export function timeUntil(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.floor((t - now) / 1000);
  return s < 1 ? 'passed' : `in ${roughSpan(s)}`;
}

const two = (n: number) => String(n).padStart(2, '0');

/** "850 ms", "12.3 s", "4 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number): string {
  if (ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${two(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${two(Math.floor((s % 3600) / 60))} min`;
}

/** How long a task ran (or has been running, up to `now`); null before it started. */
export function taskDuration(startTime: string | null, completedTime: string | null, now: number): number | null {
  if (!startTime) return null;
  const end = completedTime ? Date.parse(completedTime) : now;
  return end - Date.parse(startTime);
}

/** Local wall-clock time of a log line: "14:03:07.412". */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}
