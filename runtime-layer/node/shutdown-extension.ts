/**
 * Spaceport's external Lambda extension (Node): registers for SHUTDOWN and waits for it. Lambda gives a function
 * a shutdown phase (SIGTERM to the runtime, which the adapter forwards to the app, then SIGKILL) only when an
 * extension is registered; without one the runtime is killed with no signal. Started by `extensions/<name>`, which
 * passes the extension's file name: Lambda checks that it is the name registered.
 */
import { ApiClient } from './api-client';
import { log } from './log';

const EXTENSION_API = '/2020-01-01/extension';

async function main(name: string): Promise<void> {
  const address = process.env.AWS_LAMBDA_RUNTIME_API;
  if (!address) throw new Error('AWS_LAMBDA_RUNTIME_API is not set: the extension must run inside a Lambda execution environment');
  const api = new ApiClient(address);
  const registered = await api.call(
    'POST',
    `${EXTENSION_API}/register`,
    { 'lambda-extension-name': name, 'content-type': 'application/json' },
    '{"events":["SHUTDOWN"]}',
  );
  const id = registered.headers['lambda-extension-identifier'];
  if (registered.status !== 200 || typeof id !== 'string') {
    throw new Error(`the Extensions API refused to register ${name} (${registered.status}): ${registered.body.toString('utf8').slice(0, 300)}`);
  }
  for (;;) {
    const event = await api.call('GET', `${EXTENSION_API}/event/next`, { 'lambda-extension-identifier': id });
    if (event.status !== 200) {
      throw new Error(`the Extensions API answered ${event.status} to next: ${event.body.toString('utf8').slice(0, 300)}`);
    }
    // Subscribed to SHUTDOWN only: the runtime has already been stopped, nothing is left to do.
    if ((JSON.parse(event.body.toString('utf8')) as { eventType?: unknown }).eventType === 'SHUTDOWN') return;
  }
}

const name = process.argv[2] ?? 'spaceport-shutdown';
main(name).then(
  () => process.exit(0),
  (error: unknown) => {
    log(`extension ${name}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
