/**
 * The invocation event of an App Action call: the owner's console (dev server or cloud console function) invoking a
 * micro directly, never through the router. It is the only way to reach a micro's `GET /__space/actions` (and
 * actions served under `/__space/actions/...`, as Deta's actions SDKs do): the adapter refuses every HTTP request to
 * `/__space/`, and no front door can send an event with this `source`.
 */

/** `source` of the App Action event; the adapter recognises the event by it. */
export const APP_ACTION_EVENT_SOURCE = 'spaceport.app-action';

export interface AppActionInvocationEvent {
  readonly source: typeof APP_ACTION_EVENT_SOURCE;
  /** The request the micro's server gets: a path relative to the micro, a JSON body for a POST. */
  readonly request: { readonly method: 'GET' | 'POST'; readonly path: string; readonly body?: string };
}

/** The event the adapter turns into `method path` with `body` as JSON, answered as a payload 2.0 result. */
export function appActionEvent(method: 'GET' | 'POST', path: string, body?: unknown): AppActionInvocationEvent {
  return { source: APP_ACTION_EVENT_SOURCE, request: { method, path, ...(body === undefined ? {} : { body: JSON.stringify(body) }) } };
}
