/**
 * `spaceport dev` as a library: the whole Space app on one machine. A router on localhost that routes like the
 * cloud, a pool of emulated Lambda environments per micro running the real adapter, a scheduler firing actions
 * through the same event as EventBridge Scheduler, one prefixed log stream, and restarts on source changes.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { UsageError } from '../../core/errors';
import { SPACE_MICRO_LIMITS } from '../../core/limits';
import type { Micro, SpaceAppModel } from '../../spacefile/model';
import { developerCredentials } from './aws-credentials';
import { lambdaSearchPath } from '../emulator/lambda-variables';
import { formatLimitsTable, probeSandbox, Sandbox } from '../emulator/sandbox';
import { prodLayout, type ProdLayout } from './prod-layout';
import { buildMicros, missingServeDirHint } from './build';
import { devCommand } from './dev-command';
import type { Clock } from './clock';
import { readDotenv } from './dotenv';
import { interpreterWarnings } from './interpreters';
import { adapterLayerDir, isLayerBuilt } from '../../layer-dir';
import { createLogger, type DevLogger } from './logger';
import { microFunctionVariables, resolvePresets } from './dev-variables';
import { type ActionOutcome, MicroRuntime } from './micro-runtime';
import { loadOrCreateProjectKey } from '../project-key-file';
import { createRouter, listen } from './dev-router';
import { ActionScheduler, type ScheduledFiring } from './scheduler';
import type { LocalActionState } from './action-state';
import { localConsoleBackend } from './console-backend';
import { handleConsoleRequest } from '../../console/handler';
import { CONSOLE_PATH } from '../../console/layout';
import { watchSource } from './watcher';
import { LocalAuth } from './local-auth';
import { ensureInternalKey, LocalApiKeyStore, stateDirFor } from '../state';
import { SIGNIN_PATH } from '../../auth/rules';
import { serveBrowserData } from '../data/browser-path';
import { dataVariables, describeData, startLocalDataService } from '../data/data-service';
import { projectIdOf } from '../../data/service';

/** Names of the local data CA files as micros see them (`Sandbox.sharedPath`). */
const CA_FILE = 'data-ca.pem';
const CA_BUNDLE_FILE = 'data-ca-bundle.pem';

export const DEFAULT_DEV_PORT = 4200;
/** Like reserved concurrency: at most this many environments per micro; more requests wait in a queue. */
export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60_000;

export interface DevServerOptions {
  readonly app: SpaceAppModel;
  /** Router port; 0 picks a free one. @default 4200 */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** `--env NAME=value` preset values, stronger than `.env` next to the Spacefile. */
  readonly env?: ReadonlyMap<string, string>;
  /** @default 4 */
  readonly concurrency?: number;
  /** @default 10 minutes */
  readonly idleTimeoutMs?: number;
  /** Execution timeout of every micro; tests shorten it. @default 20 s */
  readonly timeoutMs?: number;
  /** @default 512 */
  readonly memoryMb?: number;
  /** Run the scheduler. @default true */
  readonly schedule?: boolean;
  /** The scheduler's clock (a fake one in tests). */
  readonly clock?: Clock;
  /** Restart a micro's environments when its source changes. @default true */
  readonly watch?: boolean;
  /** @default process.stdout */
  readonly logStream?: Writable & { isTTY?: boolean };
  /** Color the micro prefixes. @default whether the log stream is a terminal */
  readonly color?: boolean;
  /** Show the emulator's INIT_START/START/END/REPORT lines. @default false */
  readonly verbose?: boolean;
  /**
   * Private by default, as on Space: owner sign-in, public routes and API keys from `.spaceport/`. `false` opens
   * every route (tests of the runtime itself).
   * @default true
   */
  readonly auth?: boolean;
  /** The built runtime layer. @default runtime-layer/dist/layer of this package */
  readonly layerDir?: string;
  /**
   * Run each micro's `commands` in its `src` directory before starting (`--build`); micros with a `dev` command
   * are left to it. A failing command rejects the start with a `PackagingError`.
   * @default false
   */
  readonly build?: boolean;
  /**
   * Run every micro as the cloud does (`--prod`): `run` (static micros from their files), never `dev`, with the
   * code read-only. Without it, a micro with a `dev` command runs that, as Space's dev did: with its src writable
   * for the dev server's caches, and its own file watching instead of restarts on changes.
   * @default false
   */
  readonly prod?: boolean;
  /**
   * Give the micros the developer's own AWS credentials (`--aws-credentials`), from the SDK's default chain. Without
   * it they get placeholders AWS refuses: local code never touches a real account unless the developer says so.
   * @default false
   */
  readonly awsCredentials?: boolean;
  /** Where Base and Drive data (`data/`) and the local CA (`tls/`) are kept. @default the app's `.spaceport` */
  readonly dataStateDir?: string;
}

export interface DevServer {
  readonly app: SpaceAppModel;
  /** `http://localhost:<port>` */
  readonly url: string;
  readonly port: number;
  readonly logger: DevLogger;
  /** Runs an action now, like `spaceport trigger`; `undefined` for an unknown id. */
  triggerAction(id: string): Promise<ActionOutcome | undefined>;
  /** Each action's next scheduled firing. */
  upcoming(): ScheduledFiring[];
  /** Stops the router, the scheduler, the watchers and every environment (and so every process they started). */
  stop(): Promise<void>;
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${name} must be a positive integer, got ${value}`);
  return value;
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const { app } = options;
  const prod = options.prod ?? false;
  const runsDevCommand = (micro: Micro): boolean => !prod && devCommand(micro) !== undefined;
  const concurrency = positive('--concurrency', options.concurrency ?? DEFAULT_CONCURRENCY);
  const timeoutMs = options.timeoutMs ?? SPACE_MICRO_LIMITS.timeoutSeconds * 1000;
  const memoryMb = options.memoryMb ?? SPACE_MICRO_LIMITS.memoryMb;
  const logger = createLogger({
    stream: options.logStream ?? process.stdout,
    sources: app.micros.map((micro) => micro.name),
    color: options.color,
  });
  // Every user mistake surfaces before anything listens or runs.
  const dotenvFile = join(app.rootDir, '.env');
  const presets = resolvePresets(app, { flags: options.env ?? new Map(), dotenv: readDotenv(dotenvFile), dotenvFile });
  const projectKey = loadOrCreateProjectKey(app.rootDir);
  // DETA_API_KEY: micros calling each other through the router get in with it, whether or not auth is on.
  const internalKey = ensureInternalKey(stateDirFor(app.rootDir));
  const layerDir = options.layerDir ?? adapterLayerDir();
  if (!isLayerBuilt(layerDir)) throw new UsageError(`the runtime layer is not built at ${layerDir}: run 'npm run build'`);
  const credentials = options.awsCredentials ? await developerCredentials() : undefined;
  const build = options.build ?? false;
  if (build) await buildMicros(app, logger, prod);
  // Under --prod a micro whose package is laid out differently from its source (Next) runs from that layout.
  const layouts = new Map(
    app.micros.flatMap((micro) => {
      const layout = prod ? prodLayout(micro, build) : undefined;
      return layout ? [[micro.name, layout] as const] : [];
    }),
  );
  // Both look at this machine once, side by side: what it can enforce, and which interpreters the micros will get.
  const [capabilities, interpreterNotes] = await Promise.all([
    probeSandbox(),
    interpreterWarnings(app.micros, lambdaSearchPath(layerDir, process.env.PATH)),
  ]);
  const keys = new LocalApiKeyStore(stateDirFor(app.rootDir));
  const auth = options.auth === false ? undefined : LocalAuth.open(app, internalKey, keys);
  // Filled in once the router's port (part of every micro's environment) is known.
  let runtimes = new Map<string, MicroRuntime>();
  const lastRuns = new Map<string, LocalActionState['lastRun']>();
  const runAction = async (id: string, reason: 'schedule' | 'manual'): Promise<ActionOutcome | undefined> => {
    const action = app.actions.find((candidate) => candidate.id === id);
    if (!action) return undefined;
    const at = new Date().toISOString();
    const outcome = await runtimes.get(action.microName)!.runAction(action, reason);
    lastRuns.set(id, { at, ok: outcome.ok, statusCode: outcome.statusCode, durationMs: outcome.durationMs, error: outcome.error });
    return outcome;
  };
  const scheduler = new ActionScheduler(app.actions, {
    clock: options.clock,
    fire: (action) => void runAction(action.id, 'schedule'),
  });
  const listActions = (): LocalActionState[] =>
    scheduler.upcoming().map(({ action, interval, next, paused }) => ({
      id: action.id,
      name: action.name,
      micro: action.microName,
      interval: interval.source,
      paused,
      nextRun: next?.toISOString(),
      lastRun: lastRuns.get(action.id),
    }));
  const backend = {
    app,
    auth,
    invokeHttp: (microName: string, event: Parameters<MicroRuntime['invokeHttp']>[0]) => runtimes.get(microName)!.invokeHttp(event),
    triggerAction: (id: string) => runAction(id, 'manual'),
    listActions,
    setActionEnabled: (id: string, enabled: boolean) => scheduler.setEnabled(id, enabled),
    console:
      auth &&
      (async (request: Parameters<typeof handleConsoleRequest>[0]) => handleConsoleRequest(request, consoleBackend, await auth.consoleOptions())),
    log: logger.log,
    serveBrowserData: (req: IncomingMessage, res: ServerResponse) =>
      serveBrowserData({ handler: data.handler, projectKey, isOwner: auth && ((request) => auth.isOwner(request.headers)) }, req, res),
  };
  const server: Server = createRouter(backend);
  const port = await listen(server, options.port ?? DEFAULT_DEV_PORT, options.host ?? '127.0.0.1');
  const hostname = `localhost:${port}`;
  // Once the router has its port (a taken port is said first), before any micro gets its variables.
  const data = await startLocalDataService({
    stateDir: options.dataStateDir ?? stateDirFor(app.rootDir),
    projectKey,
    port: port + 1,
    log: (line) => logger.info(line),
  }).catch((error: unknown) => {
    server.close();
    throw error;
  });
  // Made once the router's port (part of the app's URL) and the data stores are known, before any request is served.
  const consoleBackend = localConsoleBackend({
    app,
    url: `http://${hostname}`,
    scheduler,
    listActions,
    runAction: async (id) => ((await runAction(id, 'manual')) ? lastRuns.get(id) : undefined),
    keys,
    data: { projectId: projectIdOf(projectKey), ...data.stores },
    callMicro: (micro, method, path, body) => {
      const runtime = runtimes.get(micro);
      if (!runtime) throw new UsageError(`no micro named '${micro}' in ${app.spacefile}`);
      return runtime.callAppAction(method, path, body);
    },
    logger,
  });
  const sandbox = new Sandbox(capabilities, { [CA_FILE]: data.tls.caFile, [CA_BUNDLE_FILE]: data.tls.bundleFile });
  const dataVariablesOfMicros = dataVariables(data.host, sandbox.sharedPath(CA_FILE), sandbox.sharedPath(CA_BUNDLE_FILE));

  runtimes = new Map(
    app.micros.map((micro) => [
      micro.name,
      new MicroRuntime({
        micro,
        taskRoot: layouts.get(micro.name)?.dir,
        environment: microFunctionVariables(
          micro,
          { projectKey, internalKey, hostname, data: dataVariablesOfMicros },
          presets.get(micro.name) ?? {},
          prod,
        ),
        layerDir,
        sandbox,
        logger,
        concurrency,
        idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
        timeoutMs,
        memoryMb,
        credentials,
        hiddenPaths: [stateDirFor(app.rootDir)],
        verbose: options.verbose ?? false,
        runsDevCommand: runsDevCommand(micro),
        startFailureHint: () => missingServeDirHint(app, micro, build, prod),
      }),
    ]),
  );

  if (options.schedule ?? true) scheduler.start();
  const watched = app.micros.filter((micro) => !runsDevCommand(micro));
  const unwatch =
    (options.watch ?? true) ? watched.flatMap((micro) => watchMicro(micro, runtimes.get(micro.name)!, logger, layouts.get(micro.name))) : [];

  const devCommandMicros = app.micros.filter(runsDevCommand).map((micro) => micro.name);
  logger.info(formatLimitsTable(sandbox.capabilities, { timeoutMs, memoryMb, devCommandMicros }));
  logger.info(
    credentials
      ? 'AWS credentials: yours (--aws-credentials): code in the micros acts on your AWS account'
      : 'AWS credentials: placeholders AWS refuses (run with --aws-credentials to give the micros yours)',
  );
  for (const micro of app.micros) {
    logger.info(`${micro.name.padEnd(12)} http://${hostname}${micro.path === '/' ? '/' : micro.path}  (${micro.kind}, ${micro.runtime})`);
  }
  for (const note of interpreterNotes.values()) logger.info(`warning: ${note}`);
  for (const micro of app.micros.filter(runsDevCommand)) {
    logger.log(
      micro.name,
      `runs its dev command (${devCommand(micro)}): its src is writable and it watches its own files (--prod runs '${micro.run ?? 'its files'}' instead)`,
    );
  }
  for (const micro of app.micros) {
    const hint = missingServeDirHint(app, micro, build, prod);
    if (hint) logger.info(`warning: ${hint}`);
  }
  for (const { action, next } of scheduler.upcoming()) {
    logger.info(`action ${action.id} on ${action.microName}: '${action.interval.source}' next at ${next?.toISOString() ?? '(paused)'}`);
  }
  if (auth?.ownerSecretCreated) {
    logger.info(`owner secret (shown once, kept in ${stateDirFor(app.rootDir)}): ${auth.ownerSecret}`);
  }
  if (auth) logger.info(`private by default: sign in at http://${hostname}${SIGNIN_PATH}`);
  logger.info(describeData(data));
  logger.info(`ready on http://${hostname}${auth ? ` (console: http://${hostname}${CONSOLE_PATH})` : ''}`);

  let stopping: Promise<void> | undefined;
  return {
    app,
    url: `http://${hostname}`,
    port,
    logger,
    triggerAction: (id) => runAction(id, 'manual'),
    upcoming: () => scheduler.upcoming(),
    stop: () =>
      (stopping ??= (async () => {
        scheduler.stop();
        for (const stopWatching of unwatch) stopWatching();
        const closed = new Promise((resolve) => server.close(resolve));
        server.closeAllConnections();
        await Promise.all([...runtimes.values()].map((runtime) => runtime.stop()));
        await closed;
        await data.close();
        for (const layout of layouts.values()) layout.remove();
      })()),
  };
}

/** Restarts the micro's environments when its source changes; a source that cannot be watched is said, not fatal. */
function watchMicro(micro: Micro, runtime: MicroRuntime, logger: DevLogger, layout?: ProdLayout): Array<() => void> {
  try {
    return [
      watchSource(micro.srcDir, (file) => {
        logger.log(micro.name, `${file || 'source'} changed: restarting`);
        try {
          layout?.refresh();
        } catch (error) {
          logger.log(micro.name, `cannot lay out its package again: ${(error as Error).message}`);
        }
        void runtime.restart();
      }),
    ];
  } catch (error) {
    logger.log(micro.name, `not restarting on changes: cannot watch ${micro.srcDir} (${(error as Error).message})`);
    return [];
  }
}
