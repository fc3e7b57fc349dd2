/** What every console page is given: the backend, the request, the session's CSRF token and the clock. */
import type { ConsoleBackend } from '../backend';
import type { ParsedForm } from '../form';
import type { ConsoleRequest, ConsoleResponse } from '../http';
import type { Notice, PageName } from '../layout';

export interface PageContext {
  readonly backend: ConsoleBackend;
  readonly request: ConsoleRequest;
  /** The query string's parameters. */
  readonly params: URLSearchParams;
  /** The posted form (POST only; its CSRF token already checked). */
  readonly form: ParsedForm;
  readonly csrf: string;
  readonly now: () => number;
}

/** A page: answers a GET, or renders itself after a POST with what the post did. */
export type Page = (context: PageContext, notice?: Notice) => Promise<ConsoleResponse>;

/** A state-changing post: does its work and says which page to show with which notice. */
export type Post = (context: PageContext) => Promise<{ readonly page: PageName | Page; readonly notice: Notice } | ConsoleResponse>;

/** The field `name` of the posted form, or a `FieldError` naming it. */
export function field(context: PageContext, name: string): string {
  const value = context.form.fields.get(name);
  if (value === null || value.trim() === '') throw new FieldError(`the form has no '${name}'`);
  return value;
}

/** A posted form is missing something or holds something invalid: shown as an alert on the page, status 400. */
export class FieldError extends Error {}
