/**
 * AWS list prices that docs/cost.md is computed from: US East (N. Virginia), on-demand, first pricing tier, in USD,
 * free tiers not deducted. Other regions differ by a few percent; check the service's pricing page for yours.
 */
export const PRICE_REGION = 'us-east-1';
/** When these were last checked against the pricing pages. */
export const PRICES_CHECKED = '2026-11';

export const PRICES = {
  lambdaRequestPerMillion: 0.2,
  /** Per GB-second of duration (the INIT phase of a cold start included, since August 2025). */
  lambdaGbSecond: { x86_64: 0.0000166667, arm64: 0.0000133334 },
  /** HTTP API, first 300 million requests a month; each 512 KB of request or response counts as one more. */
  httpApiRequestPerMillion: 1.0,
  /** CloudWatch Logs, standard log class. */
  logsIngestedPerGb: 0.5,
  logsStoredPerGbMonth: 0.03,
  /** DynamoDB on-demand. */
  dynamoReadPerMillion: 0.125,
  dynamoWritePerMillion: 0.625,
  dynamoStoredPerGbMonth: 0.25,
  /** Continuous backups (point-in-time recovery), per GB-month of table size. */
  dynamoPitrPerGbMonth: 0.2,
  s3StoredPerGbMonth: 0.023,
  schedulerInvocationPerMillion: 1.0,
  sqsRequestPerMillion: 0.4,
  /** AWS KMS requests (the owner secret's decryption), per 10,000. */
  kmsRequestsPer10k: 0.03,
} as const;

/** Free tiers that do not expire, per account and month (HTTP API's 1 million requests lasts only 12 months). */
export const ALWAYS_FREE = [
  'Lambda: 1 million requests and 400,000 GB-seconds',
  'EventBridge Scheduler: 14 million invocations',
  'SQS: 1 million requests',
  'DynamoDB: 25 GB of storage',
  'CloudWatch Logs: 5 GB of ingestion, storage and queries together',
  'KMS: 20,000 requests',
] as const;
