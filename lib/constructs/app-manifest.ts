/**
 * The contract between what `SpaceApp` deploys and what the operate commands (`spaceport actions`, `logs`) read: one
 * stack output, a small JSON document naming the resources those commands need. Nothing here depends on CDK, so the
 * CLI reads it without loading the constructs.
 */

/** Logical id of the stack output holding the manifest. */
export const MANIFEST_OUTPUT_ID = 'SpaceportManifest';

export interface DeployedAppManifest {
  /** Manifest format, bumped when a field changes meaning. */
  readonly version: 1;
  readonly appName: string;
  /** The app's URL, custom domain included. */
  readonly url: string;
  /** The schedule group holding one schedule per action; absent when the app has no actions. */
  readonly scheduleGroup?: string;
  /** The HTTP API's access log group: one line per request. */
  readonly accessLogGroup: string;
  /** The app's Deta Base table and Drive bucket, and the project id their keys start with (absent with `data: false`). */
  readonly data?: { readonly table: string; readonly bucket: string; readonly projectId: string };
  /** By micro name. */
  readonly micros: Readonly<Record<string, { readonly functionName: string; readonly logGroup: string }>>;
}

/** The stack name `bin/cdk-app.ts` gives an app unless `-c stackName=` says otherwise: `spaceport-<app name>`. */
export function defaultStackName(appName: string): string {
  return `spaceport-${appName}`.replace(/[^A-Za-z0-9-]/g, '-');
}
