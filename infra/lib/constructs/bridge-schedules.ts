import { Duration } from 'aws-cdk-lib';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** A 5-field UTC cron (`PATCHBRIDGE_*_CRON`) as EventBridge's 6-field `cron(…)`. */
export function eventBridgeCron(fiveField: string): Schedule {
  const parts = fiveField.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`"${fiveField}" is not a 5-field cron`);
  const [minute, hour, day, month, weekDay] = parts as [string, string, string, string, string];
  // EventBridge needs "?" in one of day-of-month and day-of-week.
  return weekDay === '*' ? Schedule.cron({ minute, hour, day, month }) : Schedule.cron({ minute, hour, month, weekDay: weekDay.replace(/\b([0-6])\b/g, (d) => String(Number(d) + 1)) });
}

export interface BridgeSchedulesProps {
  readonly snapshot: IFunction;
  readonly report: IFunction;
  readonly guard: IFunction;
  /** @default '15 2 * * *' */
  readonly snapshotCron?: string;
  /** @default '0 6 1 * *' */
  readonly reportCron?: string;
}

/**
 * The daily snapshot and the monthly report on their crons, and the one-minute
 * drains: the guard delivers queued ServiceNow writes, the report Lambda runs the
 * report jobs the API queued.
 */
export class BridgeSchedules extends Construct {
  readonly rules: readonly Rule[];

  constructor(scope: Construct, id: string, props: BridgeSchedulesProps) {
    super(scope, id);
    const target = (fn: IFunction, event?: object) =>
      new LambdaFunction(fn, { retryAttempts: 2, maxEventAge: Duration.hours(1), ...(event ? { event: RuleTargetInput.fromObject(event) } : {}) });
    this.rules = [
      new Rule(this, 'DailySnapshot', { description: 'patchbridge daily compliance snapshot', schedule: eventBridgeCron(props.snapshotCron ?? '15 2 * * *'), targets: [target(props.snapshot)] }),
      new Rule(this, 'MonthlyReport', { description: 'patchbridge monthly compliance report', schedule: eventBridgeCron(props.reportCron ?? '0 6 1 * *'), targets: [target(props.report)] }),
      new Rule(this, 'GuardDrain', { description: 'patchbridge: deliver queued ServiceNow writes', schedule: Schedule.rate(Duration.minutes(1)), targets: [target(props.guard, { action: 'drain' })] }),
      new Rule(this, 'ReportDrain', { description: 'patchbridge: run queued on-demand reports', schedule: Schedule.rate(Duration.minutes(1)), targets: [target(props.report, { action: 'drain' })] }),
    ];
  }
}
