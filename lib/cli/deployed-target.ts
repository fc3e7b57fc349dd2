/**
 * How the operate commands (`actions`, `logs`) name the deployed app: `--stack`, or the default stack name of the
 * app whose Spacefile is at hand, in `--region` or the SDK's default region.
 */
import { existsSync } from 'node:fs';
import { defaultStackName } from '../constructs/app-manifest';
import { DeployedAppError } from '../operate/aws-errors';
import { findDeployedApp, type DeployedApp } from '../operate/deployed-app';
import type { SpaceAppModel } from '../spacefile/model';
import { UsageError } from '../core/errors';
import { loadCommandSpacefile, type OptionSpec } from './arguments';

export const DEPLOYED_TARGET_OPTIONS = {
  spacefile: { type: 'string', value: '<path>', description: "the app's Spacefile (default: ./Spacefile): names the stack" },
  stack: { type: 'string', value: '<name>', description: 'the deployed stack (default: spaceport-<app name>, as cdk deploy names it)' },
  region: { type: 'string', value: '<region>', description: "the stack's region (default: AWS_REGION or the profile's)" },
} as const satisfies Record<string, OptionSpec>;

export interface DeployedTarget {
  readonly app: DeployedApp;
  /** The Spacefile's model, when there is one: the reference for what was overridden. */
  readonly model?: SpaceAppModel;
}

/** Finds the deployed app; every problem is the user's to fix, so it becomes a `UsageError`. */
export async function deployedTarget(values: { spacefile?: string; stack?: string; region?: string }): Promise<DeployedTarget> {
  const model = loadOptionalSpacefile(values.spacefile, values.stack === undefined);
  const stackName = values.stack ?? defaultStackName(model!.name);
  try {
    return { app: await findDeployedApp(stackName, values.region), model };
  } catch (error) {
    throw error instanceof DeployedAppError ? new UsageError(error.message) : error;
  }
}

function loadOptionalSpacefile(path: string | undefined, required: boolean): SpaceAppModel | undefined {
  const file = path ?? 'Spacefile';
  if (!existsSync(file)) {
    if (required) throw new UsageError(`no ${file} here: pass --spacefile <path> or --stack <name> to say which app`);
    return undefined;
  }
  return loadCommandSpacefile(file);
}
