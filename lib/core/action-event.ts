/** The invocation event of a scheduled action: the same from EventBridge Scheduler, the dev scheduler and `spaceport trigger`. */

/** `source` of the invocation event of a scheduled action; the adapter recognises the event by it. */
export const ACTION_EVENT_SOURCE = 'spaceport.action';

/** What EventBridge Scheduler (cloud) and the dev scheduler (local) send a micro's function for an action. */
export interface ActionInvocationEvent {
  readonly source: typeof ACTION_EVENT_SOURCE;
  readonly event: { readonly id: string; readonly trigger: 'schedule' };
}

/** The invocation event of action `actionId`, which the adapter turns into `POST /__space/v0/actions`. */
export function actionEvent(actionId: string): ActionInvocationEvent {
  return { source: ACTION_EVENT_SOURCE, event: { id: actionId, trigger: 'schedule' } };
}
