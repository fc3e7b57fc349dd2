/**
 * Finding a deployed Space app: its CloudFormation stack (named as `cdk deploy` names it, or given) and the manifest
 * output `SpaceApp` writes (`lib/constructs/app-manifest.ts`), so every operate command works from names the stack
 * itself reports, never from hand-copied ARNs.
 */
import { CloudFormationClient, DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import { MANIFEST_OUTPUT_ID, type DeployedAppManifest } from '../constructs/app-manifest';
import { DeployedAppError, describeAwsError } from './aws-errors';

export interface DeployedApp extends DeployedAppManifest {
  readonly stackName: string;
  readonly region?: string;
}

/** Reads the stack's manifest output; every failure says what to fix. */
export async function findDeployedApp(stackName: string, region?: string): Promise<DeployedApp> {
  const client = new CloudFormationClient(region ? { region } : {});
  let outputs: Output[] | undefined;
  try {
    const reply = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = reply.Stacks?.[0]?.Outputs;
  } catch (error) {
    if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message)) {
      const where = region ?? (await client.config.region().catch(() => undefined)) ?? 'the default region';
      throw new DeployedAppError(
        `no stack '${stackName}' in ${where}: deploy the app first (npx cdk deploy -c spacefile=...), or pass --stack <name> / --region <region>`,
      );
    }
    throw new DeployedAppError(describeAwsError(error, `read stack '${stackName}'`, 'cloudformation:DescribeStacks'));
  } finally {
    client.destroy();
  }
  const manifestText = outputs?.find((output) => output.OutputKey === MANIFEST_OUTPUT_ID)?.OutputValue;
  if (manifestText === undefined) {
    throw new DeployedAppError(
      `stack '${stackName}' is not a Spaceport app (it has no ${MANIFEST_OUTPUT_ID} output); deploy it with this version of Spaceport`,
    );
  }
  return { ...parseManifest(manifestText, stackName), stackName, region };
}

function parseManifest(text: string, stackName: string): DeployedAppManifest {
  let manifest: Partial<DeployedAppManifest>;
  try {
    manifest = JSON.parse(text) as Partial<DeployedAppManifest>;
  } catch {
    throw new DeployedAppError(`stack '${stackName}': its ${MANIFEST_OUTPUT_ID} output is not JSON`);
  }
  if (manifest.version !== 1 || typeof manifest.micros !== 'object' || manifest.micros === null) {
    throw new DeployedAppError(
      `stack '${stackName}' was deployed by another version of Spaceport (manifest version ${String(manifest.version)}); redeploy it`,
    );
  }
  return manifest as DeployedAppManifest;
}
