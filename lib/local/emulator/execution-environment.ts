/**
 * One Lambda execution environment on this machine: a real runtime process (the function's `bootstrap`, or the
 * layer's `AWS_LAMBDA_EXEC_WRAPPER`) talking to its own Runtime API, confined by a `Sandbox`, with Lambda's
 * phases (INIT on the first invoke, INVOKE under the function timeout, SHUTDOWN), error payloads and
 * START / END / REPORT log lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { MAX_INVOKE_REQUEST_BYTES, MAX_PROCESSES, SPACE_MICRO_LIMITS } from '../../core/limits';
import { InvokeRequestTooLargeError } from './invoke-request';
import { Confinement, Sandbox } from './sandbox';
import { nodeHeapFlags } from '../../core/node-heap';
import { lambdaVariables, reservedVariablesProblem, type AwsCredentials } from './lambda-variables';
import { entryProcesses, killTree, processTree, signalAll, treeUsage } from './process-tree';
import { RuntimeApi, type ShutdownReason } from './runtime-api-server';
import type { LambdaRuntimeName } from '../../spacefile/model';

export type EmulatedRuntimeName = LambdaRuntimeName | 'provided.al2023';

export interface ExecutionEnvironmentOptions {
  readonly functionName: string;
  /** Directory unpacked at /var/task. */
  readonly taskRoot: string;
  /** Directory unpacked at /opt (the merged layers). */
  readonly layerDir?: string;
  readonly runtime: EmulatedRuntimeName;
  readonly handler?: string;
  /** The function's own environment variables. */
  readonly environment: Readonly<Record<string, string>>;
  /** @default 512, a micro's memory (`SPACE_MICRO_LIMITS`) */
  readonly memoryMb?: number;
  /** @default 20000, a micro's timeout (`SPACE_MICRO_LIMITS`), not Lambda's 3 s */
  readonly timeoutMs?: number;
  /** @default 512, a micro's /tmp (`SPACE_MICRO_LIMITS`) */
  readonly ephemeralStorageMb?: number;
  /** INIT phase limit. @default 10000 */
  readonly initTimeoutMs?: number;
  /** Processes/threads limit. @default 1024 */
  readonly maxProcesses?: number;
  /** Receives the runtime's stdout/stderr line by line, and the START/END/REPORT lines. */
  readonly log: (line: string) => void;
  /** Confinement to run in; without one the processes run unconfined with approximated limits. */
  readonly sandbox?: Sandbox;
  /** Account id shown in the invoked function ARN. @default '000000000000' */
  readonly accountId?: string;
  /** /var/task writable (a dev server's caches), unlike Lambda. @default false */
  readonly writableTaskRoot?: boolean;
  /** Host directories the function must not read, such as the app's `.spaceport/` (see `ConfinementOptions`). @default none */
  readonly hiddenPaths?: readonly string[];
  /** AWS_REGION / AWS_DEFAULT_REGION and the region in the function ARN. @default 'us-east-1' */
  readonly region?: string;
  /**
   * The credentials each new environment gets in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN,
   * asked at every INIT as Lambda hands each environment fresh execution-role keys.
   * @default placeholders that AWS refuses (`PLACEHOLDER_CREDENTIALS`)
   */
  readonly credentials?: () => Promise<AwsCredentials>;
}

export type InvocationOutcome = 'success' | 'function-error' | 'init-error' | 'timeout' | 'crash';

export interface InvocationResult {
  readonly requestId: string;
  readonly outcome: InvocationOutcome;
  /** The response, or the error JSON as Lambda returns it. */
  readonly payload: Buffer;
  /** The Content-Type the runtime gave its response or error, which the invoke endpoint forwards as the RIE does. */
  readonly contentType?: string;
  /** Lambda's error type (`Runtime.ExitError`, `Sandbox.Timedout`, the function's own type...) when not a success. */
  readonly functionErrorType?: string;
  /** The invoke phase, after INIT (a failed INIT's retry included); exactly the timeout when it timed out. */
  readonly durationMs: number;
  /** Duration plus, on a cold start, INIT, rounded up to the millisecond. */
  readonly billedDurationMs: number;
  /** Set on a cold start whose INIT phase succeeded. */
  readonly initDurationMs?: number;
  /** The last 4 KB of what the invocation logged, INIT and REPORT lines included, when asked (`tailLog`). */
  readonly logTail?: string;
  readonly maxMemoryUsedMb: number;
  readonly cold: boolean;
}

/** What running INIT ahead of any invocation gave (see `warmUp`). */
export interface WarmUpResult {
  /** `success`: the runtime waits for its first event, so the next invoke is warm. */
  readonly outcome: Extract<InvocationOutcome, 'success' | 'init-error' | 'timeout'>;
  readonly initDurationMs: number;
  /** The error JSON as Lambda returns it, when INIT failed. */
  readonly payload?: Buffer;
  readonly functionErrorType?: string;
}

export interface InvokeOptions {
  /** The client context as JSON (the Invoke API's base64 `X-Amz-Client-Context`, decoded), for `Lambda-Runtime-Client-Context`. */
  readonly clientContext?: string;
  /** The caller's `X-Amzn-Trace-Id`, passed through as `Lambda-Runtime-Trace-Id`. @default a new trace id */
  readonly traceId?: string;
  /** @default a new UUID (the Invoke API picks it before an asynchronous invocation runs) */
  readonly requestId?: string;
  /** Return the last 4 KB of the invocation's log in `logTail` (the Invoke API's `X-Amz-Log-Type: Tail`). */
  readonly tailLog?: boolean;
}

export type EnvironmentState = 'cold' | 'idle' | 'busy' | 'shut down';

/** Why a running process stopped being usable during INIT or INVOKE. */
type Interruption =
  | { readonly kind: 'exit'; readonly description: string }
  | { readonly kind: 'oom' }
  | { readonly kind: 'too-many-processes'; readonly threads: number }
  | { readonly kind: 'timeout' };

const MONITOR_INTERVAL_MS = 100;
const LOG_TAIL_BYTES = 4096;
/** Variables Lambda gives the runtime but not the extensions (AWS's extensions API documentation). */
const RUNTIME_ONLY_VARIABLES = new Set([
  '_HANDLER',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'LAMBDA_RUNTIME_DIR',
  'LAMBDA_TASK_ROOT',
]);
/** Lambda's shutdown phase: 0 ms with no extension, 500 ms with internal ones only, 2000 ms with an external one. */
const SHUTDOWN_GRACE_MS = 500;
const SHUTDOWN_GRACE_WITH_EXTENSIONS_MS = 2000;
/** The runtime's part of the shutdown phase before its SIGKILL (the RIE's `runtimeDeadlineShare`: 600 ms of 2000). */
const RUNTIME_SHUTDOWN_SHARE = 0.3;
const SIGNAL_DESCRIPTIONS: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: 'killed',
  SIGTERM: 'terminated',
  SIGSEGV: 'segmentation fault',
  SIGABRT: 'aborted',
  SIGINT: 'interrupt',
  SIGBUS: 'bus error',
};

function errorPayload(errorType: string, errorMessage: string): Buffer {
  return Buffer.from(JSON.stringify({ errorType, errorMessage }));
}

/** How a process ended, in Lambda's words: `exit status 3`, `signal: killed`. */
function exitStatus(code: number | null, signal: NodeJS.Signals | null, wrapped: boolean): string {
  // bwrap reports a killed child as exit status 128 + signal number.
  if (signal === null && wrapped && code !== null && code > 128) {
    const name = Object.entries(os.constants.signals).find(([, n]) => n === code - 128)?.[0] as NodeJS.Signals | undefined;
    if (name) signal = name;
  }
  if (signal !== null) return `signal: ${SIGNAL_DESCRIPTIONS[signal] ?? signal}`;
  return `exit status ${code}`;
}

function exitDescription(code: number | null, signal: NodeJS.Signals | null, wrapped: boolean): string {
  if (code === 0 && signal === null) return 'Runtime exited without providing a reason';
  return `Runtime exited with error: ${exitStatus(code, signal, wrapped)}`;
}

/** How long a stopping environment waits for its processes' last output (a process that leaves a pipe open). */
const OUTPUT_DRAIN_MS = 500;

/** Resolves when every one of `children` has exited, or after `withinMs`. */
function allExited(children: readonly ChildProcess[], withinMs: number): Promise<void> {
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  if (running.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, withinMs));
    let left = running.length;
    for (const child of running) {
      child.once('exit', () => {
        if (--left > 0) return;
        clearTimeout(timer);
        resolve();
      });
    }
  });
}

export class ExecutionEnvironment {
  private readonly options: ExecutionEnvironmentOptions;
  private readonly memoryMb: number;
  private readonly timeoutMs: number;
  private readonly initTimeoutMs: number;
  private readonly api: RuntimeApi;
  private readonly sandbox: Sandbox;
  private readonly externalExtensions: string[];
  private confinement?: Confinement;
  private processes: ChildProcess[] = [];
  /** Each process's output, until its last line is logged: a shutdown waits for them so the log ends complete. */
  private readonly openOutputs = new Set<Promise<void>>();
  private runtimeProcess?: ChildProcess;
  private exitListeners = new Set<(description: string) => void>();
  private busy = false;
  private closed = false;
  private idleSince?: number;
  private peakBytes = 0;
  private invocationLog?: string[];
  private readonly extensionProcesses = new Map<string, ChildProcess>();
  private oomBaseline = 0;
  private apiAddress?: string;
  /** A reset still killing the previous processes; an invoke waits for it so it cannot kill the new ones. */
  private settling: Promise<void> = Promise.resolve();

  /** Throws Lambda's own refusal when the function's environment sets a variable Lambda reserves. */
  constructor(options: ExecutionEnvironmentOptions) {
    const reserved = reservedVariablesProblem(options.environment);
    if (reserved) throw new Error(`${options.functionName}: ${reserved}`);
    this.options = options;
    this.memoryMb = options.memoryMb ?? SPACE_MICRO_LIMITS.memoryMb;
    this.timeoutMs = options.timeoutMs ?? SPACE_MICRO_LIMITS.timeoutSeconds * 1000;
    this.initTimeoutMs = options.initTimeoutMs ?? 10_000;
    this.sandbox = options.sandbox ?? new Sandbox();
    this.externalExtensions = listExtensions(options.layerDir);
    this.api = new RuntimeApi({
      functionName: options.functionName,
      handler: options.handler,
      externalExtensionNames: this.externalExtensions,
    });
  }

  get state(): EnvironmentState {
    if (this.closed) return 'shut down';
    if (this.busy) return 'busy';
    return this.runtimeProcess ? 'idle' : 'cold';
  }

  /** When the environment last finished an invocation (epoch ms), for a pool's idle reaping; undefined if busy or never used. */
  get idleSinceMs(): number | undefined {
    return this.busy ? undefined : this.idleSince;
  }

  /**
   * One invocation. An event over 6 MiB rejects with `InvokeRequestTooLargeError` before anything runs, as Lambda's
   * Invoke API refuses it.
   */
  async invoke(event: string | Buffer, opts: InvokeOptions = {}): Promise<InvocationResult> {
    const payload = Buffer.isBuffer(event) ? event : Buffer.from(event);
    if (payload.length > MAX_INVOKE_REQUEST_BYTES) throw new InvokeRequestTooLargeError(payload.length);
    return this.exclusively(() => this.run(payload, opts));
  }

  /**
   * Runs INIT now rather than in the first invoke (as Lambda does for pre-initialized environments), under the INIT
   * limit only, so the next invoke is warm and an INIT failure is known at once. After a failure the environment is
   * reset: the next invoke runs INIT again (and retries it once, as Lambda does).
   */
  async warmUp(): Promise<WarmUpResult> {
    return this.exclusively(async () => {
      if (this.runtimeProcess) return { outcome: 'success', initDurationMs: 0 };
      const stopMonitor = this.monitor();
      try {
        const requestId = randomUUID();
        const init = await this.initPhase(requestId);
        if (!init.failure) return { outcome: 'success', initDurationMs: init.durationMs };
        const { outcome, payload, errorType } = init.failure;
        return { outcome, initDurationMs: init.durationMs, payload: payload ?? this.timeoutPayload(requestId), functionErrorType: errorType };
      } finally {
        stopMonitor();
      }
    });
  }

  /** Runs `work` as the environment's only activity (Lambda runs one invocation at a time per environment). */
  private async exclusively<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new Error(`Execution environment ${this.options.functionName} is shut down`);
    if (this.busy) {
      throw new Error(
        `Execution environment ${this.options.functionName} is already processing an invocation: Lambda runs one invocation at a time per environment`,
      );
    }
    this.busy = true;
    try {
      await this.settling;
      return await work();
    } finally {
      this.busy = false;
      this.idleSince = Date.now();
    }
  }

  /**
   * Lambda's SHUTDOWN phase, then removes everything. With no registered extension the runtime is SIGKILLed at once
   * (no SIGTERM); with one, see `shutdownPhase`.
   */
  async shutdown(reason: ShutdownReason = 'spindown'): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.settling;
    await this.stopProcesses(reason);
    await this.api.close();
    await this.confinement?.dispose();
    this.confinement = undefined;
  }

  private async run(payload: Buffer, opts: InvokeOptions): Promise<InvocationResult> {
    const requestId = opts.requestId ?? randomUUID();
    const log = (line: string): void => this.log(line);
    if (opts.tailLog) this.invocationLog = [];
    const cold = this.runtimeProcess === undefined;
    const stopMonitor = this.monitor();
    try {
      // Lambda's INIT phase has its own limit; the invoke's clock and deadline start after it.
      const init = cold ? await this.initPhase(requestId) : undefined;
      const started = performance.now();
      const deadlineMs = Date.now() + this.timeoutMs;
      log(`START RequestId: ${requestId} Version: $LATEST`);

      const finish = (outcome: InvocationOutcome, body: Buffer, errorType?: string, contentType?: string): InvocationResult => {
        // A timeout lasts exactly the timeout; INIT is billed on a cold start.
        const durationMs = outcome === 'timeout' ? this.timeoutMs : performance.now() - started;
        const initDurationMs = init && !init.failure ? init.durationMs : undefined;
        const status = outcome === 'timeout' ? 'timeout' : outcome === 'crash' || outcome === 'init-error' ? 'error' : undefined;
        const result: InvocationResult = {
          requestId,
          outcome,
          payload: body,
          contentType,
          functionErrorType: errorType,
          durationMs,
          billedDurationMs: Math.max(1, Math.ceil(durationMs + (initDurationMs ?? 0))),
          initDurationMs,
          maxMemoryUsedMb: Math.ceil(this.peakMemoryBytes() / (1024 * 1024)),
          cold,
        };
        log(`END RequestId: ${requestId}`);
        log(
          [
            `REPORT RequestId: ${requestId}`,
            `Duration: ${durationMs.toFixed(2)} ms`,
            `Billed Duration: ${result.billedDurationMs} ms`,
            `Memory Size: ${this.memoryMb} MB`,
            `Max Memory Used: ${result.maxMemoryUsedMb} MB`,
            ...(initDurationMs !== undefined ? [`Init Duration: ${initDurationMs.toFixed(2)} ms`] : []),
            ...(status ? [`Status: ${status}`] : []),
            ...(status === 'error' && errorType ? [`Error Type: ${errorType}`] : []),
          ].join('\t'),
        );
        return { ...result, logTail: this.takeLogTail() };
      };

      if (init?.failure) {
        // A failed INIT is retried once inside the invoke phase, under the function's timeout.
        const retryStarted = performance.now();
        const failure = await this.startAndAwaitInit(deadlineMs - Date.now(), requestId);
        if (failure) {
          this.logInitReport(performance.now() - retryStarted, 'invoke', failure);
          await this.resetEnvironment(failure.outcome === 'timeout' ? 'timeout' : 'failure');
          if (failure.outcome === 'timeout') log(this.timeoutLine(requestId));
          return finish(failure.outcome, failure.outcome === 'timeout' ? this.timeoutPayload(requestId) : failure.payload, failure.errorType);
        }
      }

      const reply = await this.race(
        this.api.invoke({
          requestId,
          payload,
          deadlineMs,
          invokedFunctionArn: `arn:aws:lambda:${this.region}:${this.options.accountId ?? '000000000000'}:function:${this.options.functionName}`,
          traceId:
            opts.traceId ??
            `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`,
          clientContext: opts.clientContext,
        }),
        deadlineMs - Date.now(),
      );
      if ('interruption' in reply) {
        const interruption = reply.interruption;
        await this.resetEnvironment(interruption.kind === 'timeout' ? 'timeout' : 'failure');
        if (interruption.kind === 'timeout') {
          log(this.timeoutLine(requestId));
          return finish('timeout', this.timeoutPayload(requestId), 'Sandbox.Timedout');
        }
        const { errorType, message } = describeInterruption(interruption);
        return finish('crash', errorPayload(errorType, `RequestId: ${requestId} Error: ${message}`), errorType);
      }
      if (this.oomHappened()) {
        // A process of the function was OOM-killed although the runtime answered: Lambda reports the OOM and resets.
        await this.resetEnvironment('failure');
        const message = `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`;
        return finish('crash', errorPayload('Runtime.OutOfMemory', message), 'Runtime.OutOfMemory');
      }
      const answer = reply.reply;
      return answer.kind === 'response'
        ? finish('success', answer.payload, undefined, answer.contentType)
        : finish('function-error', answer.payload, answer.errorType, answer.contentType);
    } finally {
      stopMonitor();
      this.invocationLog = undefined;
    }
  }

  private get region(): string {
    return this.options.region ?? 'us-east-1';
  }

  private get timeoutSeconds(): string {
    return (this.timeoutMs / 1000).toFixed(2);
  }

  private timeoutLine(requestId: string): string {
    return `${new Date().toISOString()} ${requestId} Task timed out after ${this.timeoutSeconds} seconds`;
  }

  private timeoutPayload(requestId: string): Buffer {
    return errorPayload('Sandbox.Timedout', `RequestId: ${requestId} Error: Task timed out after ${this.timeoutSeconds} seconds`);
  }

  /**
   * Lambda's INIT phase: `INIT_START`, then start the runtime and wait, under the INIT limit, until it asks for its
   * first event. A failure is logged with `INIT_REPORT ... Phase: init` and the environment reset.
   */
  private async initPhase(requestId: string): Promise<{ durationMs: number; failure?: InitFailure }> {
    const started = performance.now();
    this.log(
      `INIT_START Runtime Version: ${runtimeVersion(this.options.runtime)}\tRuntime Version ARN: arn:aws:lambda:${this.region}::runtime:local`,
    );
    const failure = await this.startAndAwaitInit(this.initTimeoutMs, requestId);
    const durationMs = performance.now() - started;
    if (failure) {
      this.logInitReport(durationMs, 'init', failure);
      await this.resetEnvironment(failure.outcome === 'timeout' ? 'timeout' : 'failure');
    }
    return { durationMs, failure };
  }

  private logInitReport(durationMs: number, phase: 'init' | 'invoke', failure: InitFailure): void {
    const status = failure.outcome === 'timeout' ? 'timeout' : `error\tError Type: ${failure.errorType}`;
    this.log(`INIT_REPORT Init Duration: ${durationMs.toFixed(2)} ms\tPhase: ${phase}\tStatus: ${status}`);
  }

  /** Starts the runtime and waits until it is ready for events; returns why not, as the invocation will answer. */
  private async startAndAwaitInit(budgetMs: number, requestId: string): Promise<InitFailure | undefined> {
    const deadlineMs = Date.now() + budgetMs;
    let startProblem: InitFailure | undefined;
    try {
      startProblem = await this.start(deadlineMs, requestId);
    } catch (err) {
      startProblem = initError('Runtime.InvalidEntrypoint', errorPayload('Runtime.InvalidEntrypoint', (err as Error).message));
    }
    if (startProblem) return startProblem;
    const outcome = await this.race(this.api.initDone(), deadlineMs - Date.now());
    if ('interruption' in outcome) {
      const interruption = outcome.interruption;
      if (interruption.kind === 'timeout') return { outcome: 'timeout', errorType: 'Sandbox.Timedout' };
      const { errorType, message } = describeInterruption(interruption);
      return initError(errorType, errorPayload(errorType, `RequestId: ${requestId} Error: ${message}`));
    }
    if (outcome.reply.kind === 'init-error') return initError(outcome.reply.errorType, outcome.reply.payload);
    return undefined;
  }

  /** Waits for `work`, unless the runtime exits, the tree breaks a limit, or `budgetMs` passes first. */
  private race<T>(work: Promise<T>, budgetMs: number): Promise<{ reply: T } | { interruption: Interruption }> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done({ interruption: { kind: 'timeout' } }), Math.max(0, budgetMs));
      const onExit = (description: string): void => done({ interruption: this.oomHappened() ? { kind: 'oom' } : { kind: 'exit', description } });
      const onLimit = (interruption: Interruption): void => done({ interruption });
      const done = (value: { reply: T } | { interruption: Interruption }): void => {
        clearTimeout(timer);
        this.exitListeners.delete(onExit);
        this.limitListeners.delete(onLimit);
        resolve(value);
      };
      this.exitListeners.add(onExit);
      this.limitListeners.add(onLimit);
      work.then((reply) => done({ reply }));
    });
  }

  private limitListeners = new Set<(interruption: Interruption) => void>();

  /** Every line goes to the caller's log; during an invocation that asked for its tail, also into `invocationLog`. */
  private log(line: string): void {
    this.options.log(line);
    this.invocationLog?.push(line);
  }

  /** The last 4 KB (Lambda's `X-Amz-Log-Result` size) of the lines collected for this invocation, if any were. */
  private takeLogTail(): string | undefined {
    const lines = this.invocationLog;
    this.invocationLog = undefined;
    if (!lines) return undefined;
    const text = Buffer.from(lines.map((line) => `${line}\n`).join(''));
    return text.subarray(Math.max(0, text.length - LOG_TAIL_BYTES)).toString('utf8');
  }

  /** Polls the tree while busy: peak memory, OOM kills, and the approximated limits where no cgroup enforces them. */
  private monitor(): () => void {
    const tick = (): void => {
      const interruption = this.sample();
      if (interruption) for (const listener of [...this.limitListeners]) listener(interruption);
    };
    const timer = setInterval(tick, MONITOR_INTERVAL_MS);
    return () => clearInterval(timer);
  }

  /** Measures the tree once: records peak memory and returns the limit it breaks, if any. */
  private sample(): Interruption | undefined {
    if (!this.runtimeProcess?.pid) return undefined;
    const members = this.confinement?.members() ?? [];
    // The extensions' processes count too: they share the function's memory on Lambda.
    const pids =
      members.length > 0
        ? members
        : processTree(
            undefined,
            this.processes.flatMap((p) => (p.pid === undefined ? [] : [p.pid])),
          );
    const { rssBytes, threads } = treeUsage(pids);
    this.peakBytes = Math.max(this.peakBytes, rssBytes);
    if (this.confinement?.memoryCgroup ? this.oomHappened() : rssBytes > this.memoryMb * 1024 * 1024) return { kind: 'oom' };
    const max = this.options.maxProcesses ?? MAX_PROCESSES;
    if (!this.confinement?.pidsCgroup && threads > max) return { kind: 'too-many-processes', threads };
    return undefined;
  }

  /**
   * Max Memory Used: the cgroup's peak where one enforces the limit (summed RSS counts shared pages once per
   * process, so it can exceed the limit), else the polled RSS peak. Never above the memory size, as on Lambda.
   */
  private peakMemoryBytes(): number {
    this.sample();
    const peak = this.confinement?.memoryCgroup?.peakBytes() ?? this.peakBytes;
    return Math.min(peak, this.memoryMb * 1024 * 1024);
  }

  private oomHappened(): boolean {
    return (this.confinement?.memoryCgroup?.oomKills() ?? 0) > this.oomBaseline;
  }

  /**
   * Spawns the external extensions, then the runtime once they have registered, in a fresh confinement wired to a
   * fresh Runtime API state. Returns why INIT failed when an extension did not register before `deadlineMs`.
   */
  private async start(deadlineMs: number, requestId: string): Promise<InitFailure | undefined> {
    this.apiAddress ??= await this.api.listen();
    this.api.reset();
    const created = this.confinement === undefined;
    const confinement =
      this.confinement ??
      (await this.sandbox.confine({
        name: this.options.functionName,
        taskRoot: this.options.taskRoot,
        layerDir: this.options.layerDir,
        memoryMb: this.memoryMb,
        ephemeralStorageMb: this.options.ephemeralStorageMb ?? SPACE_MICRO_LIMITS.tmpMb,
        maxProcesses: this.options.maxProcesses ?? MAX_PROCESSES,
        writableTaskRoot: this.options.writableTaskRoot,
        hiddenPaths: this.options.hiddenPaths,
      }));
    if (this.closed) {
      // Shut down while confining (a warm-up cut short): shutdown() never saw this confinement, so it goes here.
      if (created) await confinement.dispose();
      throw new Error(`Execution environment ${this.options.functionName} was shut down while starting`);
    }
    this.confinement = confinement;
    this.oomBaseline = confinement.memoryCgroup?.oomKills() ?? 0;
    // A reset environment is a new one: its peak memory starts over.
    this.peakBytes = 0;
    confinement.memoryCgroup?.resetPeak();
    const taskRoot = confinement.taskRootPath;
    const optDir = confinement.layerPath ?? '/opt';
    const env = lambdaVariables({
      functionName: this.options.functionName,
      runtime: this.options.runtime,
      handler: this.options.handler,
      memoryMb: this.memoryMb,
      runtimeApi: this.apiAddress,
      taskRoot,
      optDir,
      remap: confinement.remapsPaths ? undefined : { taskRoot, optDir },
      functionEnvironment: this.options.environment,
      hostPath: process.env.PATH,
      region: this.region,
      credentials: await this.options.credentials?.(),
    });
    const argv = this.runtimeCommand(env, taskRoot, optDir);
    const extensionFailure = await this.startExtensions(env, optDir, deadlineMs, requestId);
    if (extensionFailure) return extensionFailure;
    this.runtimeProcess = this.spawnProcess(argv, env, 'runtime');
    return undefined;
  }

  /**
   * Lambda starts the external extensions first and the runtime only once each has registered (the RIE's
   * `AwaitExternalAgentsRegistered`), so registration can never be closed by a fast runtime. One that exits
   * before registering fails INIT with `Extension.Crash`.
   */
  private async startExtensions(
    env: Record<string, string>,
    optDir: string,
    deadlineMs: number,
    requestId: string,
  ): Promise<InitFailure | undefined> {
    const extensionEnv = Object.fromEntries(Object.entries(env).filter(([key]) => !RUNTIME_ONLY_VARIABLES.has(key)));
    this.extensionProcesses.clear();
    const registrations = this.externalExtensions.map(
      (name) =>
        new Promise<InitFailure | undefined>((resolve) => {
          const child = this.spawnProcess([path.join(optDir, 'extensions', name)], extensionEnv, `extension ${name}`, (status) => {
            const message = `RequestId: ${requestId} Error: extension ${name} exited before registering (${status})`;
            resolve(initError('Extension.Crash', errorPayload('Extension.Crash', message)));
          });
          this.extensionProcesses.set(name, child);
          void this.api.whenRegistered(name).then(() => resolve(undefined));
        }),
    );
    const outcome = await this.race(Promise.all(registrations), deadlineMs - Date.now());
    if ('interruption' in outcome) return { outcome: 'timeout', errorType: 'Sandbox.Timedout' };
    return outcome.reply.find((failure) => failure !== undefined);
  }

  /** The command Lambda would start: `bootstrap` for provided runtimes, else the exec wrapper with the runtime's command line. */
  private runtimeCommand(env: Record<string, string>, taskRoot: string, optDir: string): string[] {
    const { runtime, taskRoot: hostTaskRoot, layerDir } = this.options;
    if (runtime.startsWith('provided')) {
      if (fs.existsSync(path.join(hostTaskRoot, 'bootstrap'))) return [path.join(taskRoot, 'bootstrap')];
      if (layerDir && fs.existsSync(path.join(layerDir, 'bootstrap'))) return [path.join(optDir, 'bootstrap')];
      throw new Error(`Couldn't find valid bootstrap(s): [${path.join(taskRoot, 'bootstrap')} ${path.join(optDir, 'bootstrap')}]`);
    }
    const managed = runtime.startsWith('nodejs')
      ? ['/var/lang/bin/node', '--expose-gc', ...nodeHeapFlags(this.memoryMb), '/var/runtime/index.mjs']
      : ['/var/lang/bin/python3', '/var/runtime/bootstrap.py'];
    const wrapper = env.AWS_LAMBDA_EXEC_WRAPPER;
    if (!wrapper) {
      throw new Error(
        `The ${runtime} managed runtime client is not available locally: set AWS_LAMBDA_EXEC_WRAPPER (for example /opt/spaceport/bootstrap) so a layer runs the function`,
      );
    }
    return [wrapper, ...managed];
  }

  /** `onExit` hears how the process ended (or why it could not start), the runtime's exit listeners aside. */
  private spawnProcess(argv: string[], env: Record<string, string>, role: string, onExit?: (status: string) => void): ChildProcess {
    const confinement = this.confinement as Confinement;
    const command = confinement.command(argv);
    // bwrap reports a child killed by a signal as its own exit status 128 + signal.
    const wrapped = confinement.remapsPaths;
    const child = spawn(command[0], command.slice(1), {
      cwd: this.options.taskRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.log(line));
    }
    this.processes.push(child);
    const outputClosed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    this.openOutputs.add(outputClosed);
    void outputClosed.then(() => this.openOutputs.delete(outputClosed));
    child.on('error', (err) => {
      this.log(`${role} could not start: ${err.message}`);
      onExit?.(err.message);
      if (child !== this.runtimeProcess) return;
      for (const listener of [...this.exitListeners]) listener(`Runtime exited with error: ${err.message}`);
    });
    child.on('exit', (code, signal) => {
      this.processes = this.processes.filter((p) => p !== child);
      onExit?.(exitStatus(code, signal, wrapped));
      if (child !== this.runtimeProcess) return;
      const description = exitDescription(code, signal, wrapped);
      if (this.exitListeners.size === 0) {
        // Died between invocations: nothing is waiting on it, so clean up now; the next invoke starts cold.
        this.log(`${description}; the next invocation starts a new environment`);
        this.settling = this.resetEnvironment('failure');
      }
      for (const listener of [...this.exitListeners]) listener(description);
    });
    return child;
  }

  /**
   * Stops every process of the environment, through Lambda's shutdown phase (SHUTDOWN with reason `timeout` or
   * `failure`), and forgets the runtime: the next invoke is a cold start.
   */
  private async resetEnvironment(reason: ShutdownReason): Promise<void> {
    await this.stopProcesses(reason);
    this.api.reset();
  }

  private async stopProcesses(reason: ShutdownReason): Promise<void> {
    const root = this.runtimeProcess;
    this.runtimeProcess = undefined;
    const members = (): number[] => this.confinement?.members() ?? [];
    if (this.api.hasExtensions) await this.shutdownPhase(root, reason);
    const roots = this.processes.map((p) => p.pid).filter((pid): pid is number => pid !== undefined);
    await Promise.all([...roots, ...(root?.pid ? [root.pid] : [])].map((pid) => killTree(pid, members)));
    await killTree(undefined, members);
    this.processes = [];
    // What a process wrote as it stopped (an app's SIGTERM handler) may still be in its pipe when it has exited.
    await Promise.race([Promise.all(this.openOutputs), delay(OUTPUT_DRAIN_MS, undefined, { ref: false })]);
  }

  /**
   * Lambda's SHUTDOWN phase when an extension is registered, as the RIE's rapid runs it (`shutdown.go`): SIGTERM to
   * the runtime, SIGKILL to its tree if it is still there after its share of the phase; then SHUTDOWN to the
   * extensions, which have until the end of the phase to exit before the caller SIGKILLs what is left.
   */
  private async shutdownPhase(runtime: ChildProcess | undefined, reason: ShutdownReason): Promise<void> {
    const phaseMs = this.api.hasExternalExtensions ? SHUTDOWN_GRACE_WITH_EXTENSIONS_MS : SHUTDOWN_GRACE_MS;
    const endMs = Date.now() + phaseMs;
    if (runtime?.pid !== undefined) {
      signalAll(entryProcesses(runtime.pid), 'SIGTERM');
      await allExited([runtime], phaseMs * RUNTIME_SHUTDOWN_SHARE);
      await killTree(runtime.pid);
    }
    // An extension that did not subscribe to SHUTDOWN gets no event to exit on: Lambda kills it at once.
    const unsubscribed = this.api.shutdownExtensions(reason, endMs);
    await Promise.all(unsubscribed.flatMap((name) => this.extensionProcesses.get(name)?.pid ?? []).map((pid) => killTree(pid)));
    await allExited(this.processes, endMs - Date.now());
    for (const { name, errorType } of this.api.takeExitErrors()) this.log(`extension ${name} reported an exit error: ${errorType}`);
  }
}

/** Why INIT failed, as the invocation that waited for it answers (a timeout's payload names the invocation). */
type InitFailure =
  | { readonly outcome: 'timeout'; readonly errorType: 'Sandbox.Timedout'; readonly payload?: undefined }
  | { readonly outcome: 'init-error'; readonly errorType: string; readonly payload: Buffer };

function initError(errorType: string, payload: Buffer): InitFailure {
  return { outcome: 'init-error', errorType, payload };
}

/** The runtime version an `INIT_START` line names (`nodejs:22.local`): Lambda's form, marked as the local emulator. */
function runtimeVersion(runtime: EmulatedRuntimeName): string {
  const match = /^([a-z]+)(.*?)(\.x)?$/.exec(runtime);
  return `${match?.[1] ?? runtime}:${(match?.[2] ?? '').replace(/^\./, '')}.local`;
}

function describeInterruption(interruption: Exclude<Interruption, { kind: 'timeout' }>): { errorType: string; message: string } {
  switch (interruption.kind) {
    case 'oom':
      return { errorType: 'Runtime.OutOfMemory', message: 'Runtime exited with error: signal: killed' };
    case 'too-many-processes':
      return {
        errorType: 'Runtime.ExitError',
        message: `Runtime exited with error: signal: killed (${interruption.threads} processes/threads exceed the limit)`,
      };
    case 'exit':
      return { errorType: 'Runtime.ExitError', message: interruption.description };
  }
}

function listExtensions(layerDir: string | undefined): string[] {
  if (!layerDir) return [];
  try {
    return fs.readdirSync(path.join(layerDir, 'extensions')).sort();
  } catch {
    return [];
  }
}
