import { createHash } from 'node:crypto';
import { CfnElement, CfnOutput, Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { actionEvent } from '../core/action-event';
import type { Interval } from '../spacefile/interval';
import type { ScheduledAction } from '../spacefile/model';
import { scheduleDescription } from '../spacefile/schedule-description';

/**
 * How long after synth a rate schedule may start at the earliest: EventBridge Scheduler refuses a StartDate more
 * than 5 minutes in the past, and a deployment takes a few.
 */
const RATE_START_MARGIN_MS = 15 * 60 * 1000;

/** A scheduled run is worth more soon than a day late: a minute-by-minute action would pile up retries otherwise. */
export const ACTION_DELIVERY = { retryAttempts: 3, maxEventAge: Duration.hours(1) } as const;

export interface SpaceActionProps {
  /** The action, from the loaded Spacefile. */
  readonly action: ScheduledAction;
  /** The function of the micro that declares the action. */
  readonly function: lambda.IFunction;
  /**
   * The interval the schedule runs at, when the owner changed it (`spaceport actions set`).
   * @default the action's `default_interval`
   */
  readonly interval?: Interval;
  /**
   * Whether the schedule runs; `false` deploys it paused (`spaceport actions pause`).
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The group the schedule belongs to; in a group the schedule is named after the action (`actionScheduleName`).
   * @default the account's default schedule group, under a name CloudFormation generates
   */
  readonly scheduleGroup?: scheduler.IScheduleGroup;
  /**
   * The role the scheduler assumes to invoke the function; share one per function (`actionInvokerRole`).
   * @default a role that may invoke only `function`
   */
  readonly role?: iam.IRole;
  /**
   * Where events the scheduler could not deliver go.
   * @default a new encrypted, SSL-only queue
   */
  readonly deadLetterQueue?: sqs.IQueue;
  /**
   * Escape hatch: properties merged over the schedule's defaults.
   * @default no overrides
   */
  readonly cdk?: { readonly schedule?: Partial<scheduler.ScheduleProps> };
}

/**
 * A scheduled action: an EventBridge Scheduler schedule (UTC) invoking the micro's function with the action event,
 * and a stack output with the command that runs it now (`spaceport trigger --function`).
 */
export class SpaceAction extends Construct {
  readonly schedule: scheduler.Schedule;
  /** The schedule's name: fixed at synth in a group (`actionScheduleName`), else CloudFormation's. */
  readonly scheduleName: string;
  readonly deadLetterQueue: sqs.IQueue;
  readonly role: iam.IRole;

  constructor(scope: Construct, id: string, props: SpaceActionProps) {
    super(scope, id);
    const { action } = props;
    const interval = props.interval ?? action.interval;
    this.deadLetterQueue = props.deadLetterQueue ?? actionDeadLetterQueue(this, 'DeadLetterQueue');
    this.role = props.role ?? actionInvokerRole(this, 'InvokerRole', props.function);
    // Known at synth, so the console finds the schedule without the name in its size-limited environment.
    const scheduleName = props.cdk?.schedule?.scheduleName ?? (props.scheduleGroup ? actionScheduleName(action.id) : undefined);
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      // Ends with the interval in Space syntax: `spaceport actions` and the console read it back.
      description: scheduleDescription(action, interval.source),
      schedule: scheduler.ScheduleExpression.expression(interval.eventBridgeExpression, TimeZone.ETC_UTC),
      // A rate no cron expresses starts on its grid, so it fires at the minutes `spaceport dev` fires it.
      start: interval.startDate(new Date(Date.now() + RATE_START_MARGIN_MS)),
      enabled: props.enabled ?? true,
      scheduleGroup: props.scheduleGroup,
      scheduleName,
      target: new targets.LambdaInvoke(props.function, {
        input: scheduler.ScheduleTargetInput.fromObject(actionEvent(action.id)),
        deadLetterQueue: this.deadLetterQueue,
        role: this.role,
        ...ACTION_DELIVERY,
      }),
      ...props.cdk?.schedule,
    });
    this.scheduleName = scheduleName ?? this.schedule.scheduleName;
    // The group's name is a literal in the template, which gives CloudFormation no order: create the group first.
    if (props.scheduleGroup) this.schedule.node.addDependency(props.scheduleGroup);
    new CfnOutput(this, 'TriggerCommand', {
      description: `Runs action '${action.id}' now`,
      value: `npx spaceport trigger ${action.id} --function ${props.function.functionName}`,
    });
  }
}

/**
 * The schedule's name in the app's own group, where only the app's actions are: the action id in the characters a
 * schedule name allows, with a hash of the id itself so two ids that read the same there stay apart.
 */
export function actionScheduleName(actionId: string): string {
  const readable = actionId.replace(/[^0-9A-Za-z_.-]/g, '-').slice(0, 55);
  return `${readable}-${createHash('sha256').update(actionId).digest('hex').slice(0, 8)}`;
}

/** The queue that keeps undeliverable action events: encrypted at rest, reachable only over TLS. */
export function actionDeadLetterQueue(scope: Construct, id: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is itself the dead-letter queue of scheduled actions; a queue behind it would only move the problem.',
  });
  return queue;
}

/**
 * The role EventBridge Scheduler assumes to run a function's actions: only schedules of this account may assume it
 * (confused-deputy guard), and it may invoke only that function.
 */
export function actionInvokerRole(scope: Construct, id: string, fn: lambda.IFunction): iam.Role {
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
    description: `Invokes ${fn.node.path} for its scheduled actions`,
  });
  // `grantInvoke` (used by the LambdaInvoke target) also allows `<function arn>:*`: the same function's
  // versions and aliases, nothing else.
  const resource = fn.node.defaultChild;
  if (resource instanceof CfnElement) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(resource)}.Arn>:*]`,
      reason: 'The wildcard covers only versions and aliases of the one function this role invokes.',
    });
  }
  return role;
}
