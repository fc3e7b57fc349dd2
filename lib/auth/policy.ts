/**
 * The part of a Space app that decides who may reach what: each micro's path, public routes and whether it
 * accepts API keys. It is plain JSON so the CDK constructs can hand it to the Lambda authorizer (an environment
 * variable) and the dev router can build it from the same model.
 */
import type { SpaceAppModel } from '../spacefile/model';

export interface MicroAccessPolicy {
  readonly name: string;
  /** `/` for the primary, otherwise the micro's normalised path. */
  readonly path: string;
  /** `presets.api_keys`: whether `X-Space-App-Key` is accepted. */
  readonly apiKeys: boolean;
  /** Public routes relative to the micro's path (`/*` = everything). Empty means private. */
  readonly publicRoutes: readonly string[];
}

export interface AccessPolicy {
  readonly primary: MicroAccessPolicy;
  readonly micros: readonly MicroAccessPolicy[];
}

export function accessPolicyOf(app: SpaceAppModel): AccessPolicy {
  const micros = app.micros.map(({ name, path, apiKeys, publicRoutes }) => ({ name, path, apiKeys, publicRoutes }));
  const primary = micros.find((micro) => micro.name === app.primary.name);
  if (!primary) throw new Error(`the primary micro '${app.primary.name}' is not among the app's micros`);
  return { primary, micros };
}

/** Reads a policy serialised by `JSON.stringify(accessPolicyOf(app))`, failing with a message that says what is wrong. */
export function parseAccessPolicy(json: string): AccessPolicy {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error('the access policy is not valid JSON');
  }
  const policy = value as AccessPolicy;
  const isMicro = (micro: unknown): micro is MicroAccessPolicy => {
    const m = micro as MicroAccessPolicy;
    return (
      // Stryker disable next-line ConditionalExpression: equivalent, a string, number or boolean has no name and is refused on the next lines
      typeof m === 'object' &&
      m !== null &&
      typeof m.name === 'string' &&
      typeof m.path === 'string' &&
      m.path.startsWith('/') &&
      typeof m.apiKeys === 'boolean' &&
      Array.isArray(m.publicRoutes) &&
      m.publicRoutes.every((route) => typeof route === 'string')
    );
  };
  // Stryker disable next-line ConditionalExpression: equivalent, a string, number or boolean has no micros and is refused alike
  if (typeof policy !== 'object' || policy === null || !Array.isArray(policy.micros) || !policy.micros.every(isMicro)) {
    throw new Error('the access policy must be {"primary": micro, "micros": [micro...]} with name, path, apiKeys, publicRoutes');
  }
  const primary = policy.micros.find((micro) => micro.name === policy.primary?.name);
  if (!primary || primary.path !== '/') throw new Error("the access policy's primary must be one of its micros, at path '/'");
  return { primary, micros: policy.micros };
}
