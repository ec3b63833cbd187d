import { tagLine } from '../activities/logTags.js';
import type { TaskLogWriter } from '../logs/taskLog.js';
import type { Masker } from '../variables/masker.js';

/** The task log as one activity writes it: every line masked, then tagged with the activity. */
export class ActivityLog {
  constructor(
    private readonly log: Pick<TaskLogWriter, 'info' | 'error'>,
    private readonly masker: Masker,
    readonly activityId: number,
  ) {}

  private lines(text: string): string[] {
    return this.masker.mask(text).replace(/\r?\n$/, '').split(/\r?\n/).map((l) => tagLine(this.activityId, l));
  }

  info(text: string): void {
    for (const l of this.lines(text)) this.log.info(l);
  }

  error(text: string): void {
    for (const l of this.lines(text)) this.log.error(l);
  }
}
