// The CronJob controller's descriptor for the controller manager.
import type { ControllerDescriptor } from '../context.js';
import { newCronJobController } from './cronjob-controller.js';

export { newCronJobController, cronJobKind, jobNameFor, scheduledTimestampAnnotation, type CronJobControllerOptions } from './cronjob-controller.js';
export { nextScheduleTime, missedSchedules, parseSchedule, formatInZone, wallClock, type MissedSchedules } from './schedule.js';

export const cronJobController: ControllerDescriptor = {
  name: 'cronjob',
  create: (ctx) => newCronJobController(ctx),
};
