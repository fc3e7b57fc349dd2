/**
 * The most bytes a template value can take once CloudFormation fills in its deploy-time names, so a limit Lambda
 * enforces only at deploy (its 4 KB environment) is checked at synth.
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Of each resource type whose `Ref` is its name: the longest name its service allows, and the L1 field that sets one. */
const NAMED: Readonly<Record<string, { readonly limit: number; readonly field: string }>> = {
  'AWS::Lambda::Function': { limit: 64, field: 'functionName' },
  'AWS::Scheduler::Schedule': { limit: 64, field: 'name' },
  'AWS::Scheduler::ScheduleGroup': { limit: 64, field: 'name' },
  'AWS::S3::Bucket': { limit: 63, field: 'bucketName' },
  'AWS::DynamoDB::Table': { limit: 255, field: 'tableName' },
  'AWS::Logs::LogGroup': { limit: 512, field: 'logGroupName' },
};

/** An HTTP API's `Ref` is its id: always 10 characters. */
const API_ID_BYTES = 10;

/** `AWS::URLSuffix` is `amazonaws.com` or, in China, `amazonaws.com.cn`; `AWS::Region` is at most `ap-southeast-5`-like. */
const PSEUDO_LIMIT: Readonly<Record<string, number>> = { 'AWS::URLSuffix': 16, 'AWS::Region': 20 };

/** CloudFormation names an unnamed resource `<stack name>-<logical id>-<random suffix>` (the suffix is 12 or 13 characters). */
const GENERATED_SUFFIX_BYTES = 1 + 13;

/** The bound of `value` (a string holding tokens) in `scope`'s stack; a reference it cannot bound counts as `unknownBytes`. */
export function deployedLengthBound(scope: IConstruct, value: string, unknownBytes = 64): number {
  const stack = Stack.of(scope);
  const refBounds = new Map<string, number>();
  for (const node of stack.node.findAll()) {
    if (!CfnResource.isCfnResource(node)) continue;
    const logicalId = stack.getLogicalId(node);
    const named = NAMED[node.cfnResourceType];
    if (node.cfnResourceType === 'AWS::ApiGatewayV2::Api') refBounds.set(logicalId, API_ID_BYTES);
    if (named === undefined) continue;
    // An L2 construct's name is a token even when not given: it resolves to nothing unless another stack needs it.
    const given: unknown = stack.resolve((node as unknown as Record<string, unknown>)[named.field]);
    const generated = Math.min(named.limit, stack.stackName.length + 1 + logicalId.length + GENERATED_SUFFIX_BYTES);
    refBounds.set(logicalId, given === undefined ? generated : typeof given === 'string' ? Buffer.byteLength(given) : named.limit);
  }
  const bound = (part: unknown): number => {
    if (typeof part === 'string') return Buffer.byteLength(part);
    const intrinsic = part as Record<string, unknown>;
    if (typeof intrinsic['Ref'] === 'string') return refBounds.get(intrinsic['Ref']) ?? PSEUDO_LIMIT[intrinsic['Ref']] ?? unknownBytes;
    const join = intrinsic['Fn::Join'] as [string, unknown[]] | undefined;
    if (join !== undefined)
      return join[1].reduce<number>((sum, piece) => sum + bound(piece), Buffer.byteLength(join[0]) * Math.max(join[1].length - 1, 0));
    return unknownBytes;
  };
  return bound(stack.resolve(value));
}
