export { createScheduler, nextFireTime, type ScheduledJob, type Scheduler, type SchedulerDeps } from './scheduler.js';
