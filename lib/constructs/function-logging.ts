import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface FunctionLoggingProps {
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly retention?: logs.RetentionDays;
  /** Overrides merged over the log group's defaults. @default none */
  readonly logGroup?: Partial<logs.LogGroupProps>;
}

/**
 * An explicit log group and a role that may write only to it: least privilege instead of the
 * `AWSLambdaBasicExecutionRole` managed policy, which may write to every log group of the account.
 */
export class FunctionLogging extends Construct {
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: FunctionLoggingProps = {}) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.retention ?? logs.RetentionDays.ONE_MONTH,
      ...props.logGroup,
    });
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);
  }
}
