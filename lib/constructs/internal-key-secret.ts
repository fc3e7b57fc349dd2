import type { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SpaceGeneratedSecret } from './generated-secret';

export interface SpaceInternalKeyProps {
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
 * The app's internal key, `DETA_API_KEY`: micros send it as `X-API-Key` to call each other through the app's
 * hostname, and the authorizer lets such calls in like the owner. Generated at deploy time into a free SSM
 * SecureString parameter (`SpaceGeneratedSecret`); micros and the authorizer get it in their environment at deploy
 * time, so a rotation reaches both in the same deployment.
 */
export class SpaceInternalKey extends Construct {
  readonly secret: SpaceGeneratedSecret;
  /** The key as a deploy-time value for a function's environment. */
  readonly environmentValue: string;

  constructor(scope: Construct, id: string, props: SpaceInternalKeyProps = {}) {
    super(scope, id);
    this.secret = new SpaceGeneratedSecret(this, 'Secret', {
      kind: 'internal-key',
      description: 'DETA_API_KEY of a Space app deployed by Spaceport: lets its micros call each other (X-API-Key)',
      generation: props.generation,
      removalPolicy: props.removalPolicy,
    });
    this.environmentValue = this.secret.value;
  }
}
