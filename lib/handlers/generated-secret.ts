/**
 * The custom resource behind `SpaceGeneratedSecret`: makes an app secret at deploy time and keeps it in an SSM
 * Parameter Store standard SecureString (free; encrypted with the AWS-managed `aws/ssm` key). CloudFormation cannot
 * create a SecureString itself, nor resolve `ssm-secure` references in a Lambda environment, so this function
 * creates the parameter and hands the value back as a NoEcho attribute: it reaches the functions' environment without
 * ever being in the template, the synth output, the stack events or a log line.
 *
 * Create adopts a parameter of the same name if one exists (a secret retained from an earlier stack); Update keeps the
 * stored value unless `Generation` changed, which rotates it; Delete removes the parameter.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { generateProjectKey, PROJECT_KEY_FORMAT } from '../core/project-key';
import { generateInternalKey, MIN_INTERNAL_KEY_LENGTH } from '../auth/internal-key';
import { generateOwnerSecret, MIN_OWNER_SECRET_LENGTH } from '../auth/session';

/** What a generated secret is for; each has the generator and the check used locally too. */
export const SECRET_KINDS = {
  'owner-secret': {
    holds: 'the owner secret',
    generate: () => generateOwnerSecret(),
    valid: (value: string) => value.length >= MIN_OWNER_SECRET_LENGTH,
  },
  'internal-key': {
    holds: "the app's internal key",
    generate: () => generateInternalKey(),
    valid: (value: string) => value.length >= MIN_INTERNAL_KEY_LENGTH,
  },
  'project-key': {
    holds: 'a project key (<projectId>_<secret>)',
    generate: (projectId?: string) => generateProjectKey(projectId),
    valid: (value: string, projectId?: string) => PROJECT_KEY_FORMAT.test(value) && (projectId === undefined || value.startsWith(`${projectId}_`)),
  },
} as const;

export type SecretKind = keyof typeof SECRET_KINDS;

/** The custom resource's properties, as the construct sets them (CloudFormation passes every value as a string). */
export interface GeneratedSecretProperties {
  readonly ParameterName: string;
  readonly Kind: SecretKind;
  readonly Description: string;
  /** Changing it generates a new value. */
  readonly Generation: string;
  /** project-key only: the part before `_`, kept across rotations because data is keyed by it. */
  readonly ProjectId?: string;
}

interface EventCommon {
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceProperties: GeneratedSecretProperties & { readonly ServiceToken: string };
}

export type GeneratedSecretEvent =
  | (EventCommon & { readonly RequestType: 'Create' })
  | (EventCommon & { readonly RequestType: 'Update'; readonly PhysicalResourceId: string; readonly OldResourceProperties: GeneratedSecretProperties })
  | (EventCommon & { readonly RequestType: 'Delete'; readonly PhysicalResourceId: string });

/** What the event did: the parameter's name (the physical id) and, unless deleted, the value. */
export interface GeneratedSecretOutcome {
  readonly parameterName: string;
  readonly value?: string;
}

export async function applySecretEvent(event: GeneratedSecretEvent, ssm: SSMClient): Promise<GeneratedSecretOutcome> {
  const props = event.ResourceProperties;
  const kind = SECRET_KINDS[props.Kind];
  if (!kind) throw new Error(`unknown secret kind '${props.Kind}' (known: ${Object.keys(SECRET_KINDS).join(', ')})`);
  switch (event.RequestType) {
    case 'Create':
      return { parameterName: props.ParameterName, value: (await readValid(ssm, props)) ?? (await store(ssm, props, false)) };
    case 'Update': {
      // A new name is a new parameter: CloudFormation then deletes the old one (a different physical id).
      const rotate = event.OldResourceProperties.Generation !== props.Generation && event.PhysicalResourceId === props.ParameterName;
      const value = rotate ? await store(ssm, props, true) : ((await readValid(ssm, props)) ?? (await store(ssm, props, true)));
      return { parameterName: props.ParameterName, value };
    }
    case 'Delete':
      // Only a parameter this resource named: after a failed create CloudFormation may pass another id.
      if (event.PhysicalResourceId !== props.ParameterName) return { parameterName: event.PhysicalResourceId };
      await ssm.send(new DeleteParameterCommand({ Name: event.PhysicalResourceId })).catch((error: Error) => {
        if (error.name !== 'ParameterNotFound') throw error;
      });
      return { parameterName: event.PhysicalResourceId };
  }
}

/** The stored value, undefined when there is none; a value that cannot be this kind of secret is an error. */
async function readValid(ssm: SSMClient, props: GeneratedSecretProperties): Promise<string | undefined> {
  const reply = await ssm.send(new GetParameterCommand({ Name: props.ParameterName, WithDecryption: true })).catch((error: Error) => {
    if (error.name === 'ParameterNotFound') return undefined;
    throw error;
  });
  const value = reply?.Parameter?.Value;
  if (value === undefined) return undefined;
  const kind = SECRET_KINDS[props.Kind];
  if (!kind.valid(value, props.ProjectId)) {
    throw new Error(
      `the SSM parameter ${props.ParameterName} holds something that is not ${kind.holds}: ` +
        'put a valid value in it, delete it, or change the secrets generation to replace it',
    );
  }
  return value;
}

async function store(ssm: SSMClient, props: GeneratedSecretProperties, overwrite: boolean): Promise<string> {
  const value = SECRET_KINDS[props.Kind].generate(props.ProjectId);
  await ssm.send(
    new PutParameterCommand({
      Name: props.ParameterName,
      Description: props.Description,
      Value: value,
      Type: 'SecureString',
      // Explicit: an account whose default tier is Advanced or Intelligent-Tiering would pay $0.05 a month for it.
      Tier: 'Standard',
      Overwrite: overwrite,
    }),
  );
  return value;
}

const ssm = new SSMClient({});

/** The Lambda entry point: applies the event and always answers CloudFormation, which otherwise waits an hour. */
export async function handler(event: GeneratedSecretEvent): Promise<void> {
  // Names only: the value is never logged.
  console.log(JSON.stringify({ requestType: event.RequestType, parameter: event.ResourceProperties.ParameterName }));
  let answer: Record<string, unknown>;
  try {
    const outcome = await applySecretEvent(event, ssm);
    answer = {
      Status: 'SUCCESS',
      PhysicalResourceId: outcome.parameterName,
      NoEcho: true,
      Data: outcome.value === undefined ? {} : { Value: outcome.value },
    };
  } catch (error) {
    const { name, message } = error as Error;
    console.error(JSON.stringify({ error: name, message }));
    answer = {
      Status: 'FAILED',
      Reason: `${name}: ${message}`.slice(0, 1000),
      PhysicalResourceId: 'PhysicalResourceId' in event ? event.PhysicalResourceId : event.ResourceProperties.ParameterName,
    };
  }
  await respond(event, { ...answer, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
}

/** PUTs the answer to CloudFormation's presigned URL, with the empty Content-Type the presigned URL expects. */
function respond(event: GeneratedSecretEvent, answer: Record<string, unknown>): Promise<void> {
  const body = JSON.stringify(answer);
  const url = new URL(event.ResponseURL);
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const request = send(url, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (response) => {
      response.resume();
      response.on('end', () =>
        response.statusCode === 200 ? resolve() : reject(new Error(`CloudFormation's response URL answered ${response.statusCode}`)),
      );
    });
    request.on('error', reject);
    request.end(body);
  });
}
