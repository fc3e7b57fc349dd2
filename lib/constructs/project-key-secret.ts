import { createHash } from 'node:crypto';
import { Names, RemovalPolicy } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface SpaceProjectKeyProps {
  /**
   * The project id, the part of the key before `_` (Deta SDKs read it from there).
   * @default 8 lowercase characters derived from the construct's unique id, stable across deployments
   */
  readonly projectId?: string;
  /**
   * What happens to the secret when it leaves the stack.
   * @default RemovalPolicy.DESTROY, the key is useless without the app
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The app's `DETA_PROJECT_KEY` (`<projectId>_<secret>`): a generated Secrets Manager secret whose value reaches
 * the functions through CloudFormation dynamic references, resolved at deploy time, so it never appears in the
 * template or the cloud assembly and the adapter needs no network call to read it.
 */
export class SpaceProjectKey extends Construct {
  readonly secret: secretsmanager.Secret;
  readonly projectId: string;
  /** The key as an environment value: `{{resolve:secretsmanager:...:projectId}}_{{resolve:...:secret}}`. */
  readonly environmentValue: string;

  constructor(scope: Construct, id: string, props: SpaceProjectKeyProps = {}) {
    super(scope, id);
    this.projectId = props.projectId ?? derivedProjectId(Names.uniqueId(this));
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'DETA_PROJECT_KEY of a Space app deployed by Spaceport (<projectId>_<secret>)',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ projectId: this.projectId }),
        generateStringKey: 'secret',
        excludePunctuation: true,
        passwordLength: 32,
      },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    const field = (name: string) => this.secret.secretValueFromJson(name).unsafeUnwrap();
    this.environmentValue = `${field('projectId')}_${field('secret')}`;
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The project key is a data key read by the functions at deploy time (dynamic reference); rotating it means ' +
        'redeploying the app, which a rotation Lambda cannot do. Redeploy after replacing the secret to rotate.',
    });
  }
}

function derivedProjectId(uniqueId: string): string {
  const digest = createHash('sha256').update(uniqueId).digest();
  return Array.from(digest.subarray(0, 8), (byte) => 'abcdefghijklmnopqrstuvwxyz0123456789'[byte % 36]).join('');
}
