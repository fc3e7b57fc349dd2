import { createHash } from 'node:crypto';
import { Names, type RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { SpaceGeneratedSecret } from './generated-secret';

export interface SpaceProjectKeyProps {
  /**
   * The project id, the part of the key before `_` (Deta SDKs read it from there).
   * @default 8 lowercase characters derived from the construct's unique id, stable across deployments
   */
  readonly projectId?: string;
  /**
   * Any change generates a new key at the next deployment (see `SpaceGeneratedSecretProps.generation`).
   * @default CDK context `spaceport:secrets-generation`, else '1'
   */
  readonly generation?: string;
  /**
   * What happens to the key's parameter when it leaves the stack.
   * @default RemovalPolicy.DESTROY, the key is useless without the app
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The app's `DETA_PROJECT_KEY` (`<projectId>_<secret>`), generated at deploy time into a free SSM SecureString
 * parameter (`SpaceGeneratedSecret`). Functions get it in their environment at deploy time (`environmentValue`), so
 * the adapter needs no network call to read it and it never appears in the template or the cloud assembly.
 */
export class SpaceProjectKey extends Construct {
  readonly secret: SpaceGeneratedSecret;
  readonly projectId: string;
  /** The whole key as a deploy-time value for a function's environment (`DETA_PROJECT_KEY`). */
  readonly environmentValue: string;
  /** The SSM parameter holding the key, for a function that must read the current value at run time (`grantRead`). */
  readonly parameterName: string;

  constructor(scope: Construct, id: string, props: SpaceProjectKeyProps = {}) {
    super(scope, id);
    this.projectId = props.projectId ?? derivedProjectId(Names.uniqueId(this));
    this.secret = new SpaceGeneratedSecret(this, 'Secret', {
      kind: 'project-key',
      description: 'DETA_PROJECT_KEY of a Space app deployed by Spaceport (<projectId>_<secret>)',
      projectId: this.projectId,
      generation: props.generation,
      removalPolicy: props.removalPolicy,
    });
    this.environmentValue = this.secret.value;
    this.parameterName = this.secret.parameterName;
  }

  /** Lets `grantee` read the key's parameter at run time. */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.secret.grantRead(grantee);
  }
}

function derivedProjectId(uniqueId: string): string {
  const digest = createHash('sha256').update(uniqueId).digest();
  return Array.from(digest.subarray(0, 8), (byte) => 'abcdefghijklmnopqrstuvwxyz0123456789'[byte % 36]).join('');
}
