import { Aws, CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { GeneratedSecretProperties, SecretKind } from '../handlers/generated-secret';
import { SpaceportConstructError } from './errors';
import { handlerFunction } from './handler-function';

/** CDK context key whose value is the generation of every generated secret: change it to rotate them. */
export const SECRETS_GENERATION_CONTEXT = 'spaceport:secrets-generation';

export interface SpaceGeneratedSecretProps {
  /** What to generate: the owner secret, the internal key or the project key. */
  readonly kind: SecretKind;
  /** Shown on the parameter: what it is and what reads it. */
  readonly description: string;
  /**
   * Only for `project-key`: the part before `_`, kept when the key is rotated.
   * @default none (required for a project key)
   */
  readonly projectId?: string;
  /**
   * Any change generates a new value at the next deployment (a rotation); keep the new value, since changing it back
   * rotates again.
   * @default CDK context `spaceport:secrets-generation`, else '1'
   */
  readonly generation?: string;
  /**
   * What happens to the parameter when it leaves the stack.
   * @default RemovalPolicy.DESTROY, the secret is useless without the app
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A secret generated at deploy time into an SSM Parameter Store standard SecureString, which is free: no fixed monthly
 * charge, unlike a Secrets Manager secret ($0.40 a month). CloudFormation can neither create a SecureString nor
 * resolve an `ssm-secure` reference in a Lambda environment, so a small custom resource (one function per stack, run
 * only at deploy time) creates it and returns the value as a NoEcho attribute: `value` puts it in a function's
 * environment at deploy time and it never appears in the template, the cloud assembly or the stack events.
 */
export class SpaceGeneratedSecret extends Construct {
  /** `/spaceport/<stack name>/<construct path in the stack, dot-separated>`, e.g. `/spaceport/Notes/App.Auth.OwnerSecret`. */
  readonly parameterName: string;
  readonly parameterArn: string;
  /** The value as a deploy-time token, for a function's environment (resolved by CloudFormation, masked everywhere). */
  readonly value: string;
  /** Prints the value: `aws ssm get-parameter --with-decryption ...`. */
  readonly readCommand: string;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: SpaceGeneratedSecretProps) {
    super(scope, id);
    if ((props.kind === 'project-key') !== (props.projectId !== undefined)) {
      throw new SpaceportConstructError(this, 'a project key needs its projectId, and only a project key takes one');
    }
    const stack = Stack.of(this);
    this.parameterName = parameterNameOf(this, stack);
    this.parameterArn = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: this.parameterName.slice(1) });
    const generator = secretGenerator(stack);
    generator.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['ssm:GetParameter', 'ssm:PutParameter', 'ssm:DeleteParameter'], resources: [this.parameterArn] }),
    );
    const properties: GeneratedSecretProperties = {
      ParameterName: this.parameterName,
      Kind: props.kind,
      Description: props.description,
      Generation: props.generation ?? String(this.node.tryGetContext(SECRETS_GENERATION_CONTEXT) ?? '1'),
      ...(props.projectId === undefined ? {} : { ProjectId: props.projectId }),
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: generator.functionArn,
      resourceType: 'Custom::SpaceportSecret',
      properties,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    // The generator's policy must exist before it runs (and still exist when the parameter is deleted).
    this.resource.node.addDependency(generator.role!);
    this.value = this.resource.getAttString('Value');
    this.readCommand = `aws ssm get-parameter --region ${Aws.REGION} --name ${this.parameterName} --with-decryption --query Parameter.Value --output text`;
  }

  /** Lets `grantee` read the value at run time (ssm:GetParameter; the AWS-managed key needs no KMS grant). */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['ssm:GetParameter'], resourceArns: [this.parameterArn] });
  }
}

/** Parameter names taken in each stack: two secrets must never manage the same parameter. */
const takenNames = new WeakMap<Stack, Set<string>>();

/** A readable, stable name from the construct's path; characters SSM refuses become `_`. */
function parameterNameOf(secret: Construct, stack: Stack): string {
  const path = secret.node.scopes.slice(stack.node.scopes.length).map((scope) => scope.node.id.replace(/[^A-Za-z0-9_.-]/g, '_'));
  const name = `/spaceport/${stack.stackName}/${path.join('.')}`;
  const taken = takenNames.get(stack) ?? new Set<string>();
  takenNames.set(stack, taken);
  if (taken.has(name))
    throw new SpaceportConstructError(secret, `another generated secret of this stack already uses the parameter ${name}: rename one of them`);
  taken.add(name);
  return name;
}

/** One generator function per stack, whatever the number of apps and secrets in it. */
function secretGenerator(stack: Stack): lambda.Function {
  const id = 'SpaceportSecretGenerator';
  return (
    (stack.node.tryFindChild(id) as lambda.Function | undefined) ??
    handlerFunction(stack, id, {
      module: 'generated-secret',
      description: 'Spaceport: generates the app secrets into SSM SecureString parameters at deploy time',
      timeout: Duration.seconds(30),
    })
  );
}
