/**
 * `spaceport keys create <name> [--micro <micro>] | list | delete <name>`: the app's API keys, locally in
 * `.spaceport/api-keys.json` (read by `spaceport dev` without a restart) or, with `--table`, in the deployed
 * stack's DynamoDB table (its `ApiKeysTable` output), read by the authorizer.
 */
import { existsSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ApiKeyRecord, ApiKeyStore } from '../auth/api-keys';
import { DynamoDbApiKeyStore } from '../handlers/dynamodb-key-store';
import { LocalApiKeyStore, stateDirFor } from '../local/state';
import { AUTH_ENV } from '../handlers/authorizer';
import type { SpaceAppModel } from '../spacefile/model';
import { defineCommand, loadCommandSpacefile, usageError, type ParsedCommandLine } from './arguments';
import type { Command } from './command';
import { UsageError } from '../core/errors';
import { formatTable } from './table';

const COMMAND_LINE = {
  summary: 'Create, list or delete the API keys of an app (shown once, stored hashed)',
  usage: 'keys create <name> [--micro <micro>] | list | delete <name>  [--spacefile <path>] [--local | --table <name>]',
  arguments: {
    'create <name>': 'make a key, print it once on stdout and store only its hash',
    list: "show every key's name, micro and creation time",
    'delete <name>': 'remove a key: it stops working at once',
  },
  options: {
    micro: { type: 'string', value: '<micro>', description: 'create: the micro the key opens (default: every micro with api_keys)' },
    spacefile: { type: 'string', value: '<path>', description: "the app's Spacefile (default: ./Spacefile)" },
    local: { type: 'boolean', description: 'the local keys in .spaceport/ next to the Spacefile, read by spaceport dev' },
    table: {
      type: 'string',
      value: '<name>',
      description: `the deployed app's DynamoDB table, its ApiKeysTable output (default: $${AUTH_ENV.apiKeysTable})`,
    },
  },
} as const;

interface KeysArgs {
  readonly action: 'create' | 'list' | 'delete';
  readonly name?: string;
  readonly micro?: string;
  readonly spacefile: string;
  readonly local: boolean;
  readonly table?: string;
}

export const keysCommand: Command = defineCommand(COMMAND_LINE, async (parsed) => {
  const options = keysArgs(parsed);
  const app = loadCommandSpacefile(options.spacefile);
  const { store, where } = openStore(app, options);
  switch (options.action) {
    case 'create': {
      checkMicro(app, options.micro);
      const { key, record } = await store.create(options.name!, options.micro, new Date()).catch(asUsageError);
      process.stderr.write(
        `Created API key '${record.name}' for ${scope(app, record)} in ${where}.\n` +
          'It is shown only now: store it. Clients send it as the X-Space-App-Key header.\n',
      );
      process.stdout.write(key + '\n');
      return 0;
    }
    case 'list': {
      const records = await store.list().catch(asUsageError);
      if (records.length === 0) process.stderr.write(`No API keys in ${where}.\n`);
      else process.stdout.write(formatList(records));
      return 0;
    }
    case 'delete': {
      if (!(await store.delete(options.name!).catch(asUsageError))) {
        process.stderr.write(`No API key named '${options.name}' in ${where}.\n`);
        return 1;
      }
      process.stderr.write(`Deleted API key '${options.name}' from ${where}: it stops working now.\n`);
      return 0;
    }
  }
});

/** What the parsed command line asks for, or a usage error. */
function keysArgs({ values, positionals }: ParsedCommandLine<typeof COMMAND_LINE.options>): KeysArgs {
  const [action, name, ...extra] = positionals;
  if (action !== 'create' && action !== 'list' && action !== 'delete') {
    throw usageError(COMMAND_LINE, `expected create, list or delete${action ? `, got '${action}'` : ''}`);
  }
  if ((action === 'list' ? name : extra[0]) !== undefined) throw usageError(COMMAND_LINE, 'too many arguments');
  if (action !== 'list' && name === undefined) throw usageError(COMMAND_LINE, `'keys ${action}' needs the key's name`);
  if (action !== 'create' && values.micro !== undefined) throw new UsageError(`--micro only applies to 'keys create'`);
  const local = values.local ?? false;
  if (local && values.table !== undefined) throw new UsageError('pass either --local or --table, not both');
  const table = values.table ?? (local ? undefined : process.env[AUTH_ENV.apiKeysTable]);
  return { action, name, micro: values.micro, spacefile: values.spacefile ?? 'Spacefile', local, table };
}

/** Local when asked, or when `spaceport dev` has run here and no table is named; the cloud table otherwise. */
function openStore(app: SpaceAppModel, options: KeysArgs): { store: ApiKeyStore; where: string } {
  const stateDir = stateDirFor(app.rootDir);
  if (options.table) return { store: new DynamoDbApiKeyStore(options.table, new DynamoDBClient({})), where: `the DynamoDB table ${options.table}` };
  if (options.local || existsSync(stateDir)) {
    const store = new LocalApiKeyStore(stateDir);
    return { store, where: store.file };
  }
  throw new UsageError(
    `no local state in ${stateDir} (run 'spaceport dev' once, or pass --local) and no --table ` +
      `(for a deployed app, pass its stack's ApiKeysTable output or set ${AUTH_ENV.apiKeysTable})`,
  );
}

/** A key must be usable somewhere: on the named micro, or on at least one micro with `presets.api_keys`. */
function checkMicro(app: SpaceAppModel, microName: string | undefined): void {
  const withKeys = app.micros.filter((micro) => micro.apiKeys).map((micro) => micro.name);
  if (microName === undefined) {
    if (withKeys.length === 0) {
      throw new UsageError(`no micro of ${app.spacefile} has 'presets: api_keys: true', so every micro would refuse the key`);
    }
    return;
  }
  const micro = app.micros.find((candidate) => candidate.name === microName);
  if (!micro) throw new UsageError(`--micro ${microName}: ${app.spacefile} has no such micro (micros: ${app.micros.map((m) => m.name).join(', ')})`);
  if (!micro.apiKeys)
    throw new UsageError(`--micro ${microName}: the micro has no 'presets: api_keys: true' in ${app.spacefile}, so it refuses keys`);
}

function scope(app: SpaceAppModel, record: ApiKeyRecord): string {
  if (record.micro !== undefined) return `the micro '${record.micro}'`;
  return `every micro with api_keys (${
    app.micros
      .filter((micro) => micro.apiKeys)
      .map((micro) => micro.name)
      .join(', ') || 'none'
  })`;
}

function formatList(records: readonly ApiKeyRecord[]): string {
  return formatTable([
    ['NAME', 'MICRO', 'CREATED'],
    ...records.map((record) => [record.name, record.micro ?? '(all with api_keys)', record.createdAt]),
  ]);
}

/** Store errors (a taken name, a malformed keys file, AWS access denied) are the user's to fix: no stack trace. */
function asUsageError(error: unknown): never {
  throw new UsageError((error as Error).message);
}
