// What every view of the console uses: the page's elements, the session, and the
// one way it calls the hub's public API.
import { documents } from './consoleDocuments.js';

export const $ = (selector) => document.querySelector(selector);

/** An element with attributes and children (strings become text nodes). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'className') element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) element.append(child instanceof Node ? child : String(child));
  return element;
}

/** The token is kept in memory only: closing or reloading the page signs out. */
export const session = { token: null, viewer: null };

/** A GraphQL error as the console shows it: the API's message and its code. */
export class ApiError extends Error {
  constructor(errors) {
    super(errors.map((error) => `${error.message}${error.extensions?.code ? ` (${error.extensions.code})` : ''}`).join('\n'));
    this.codes = errors.map((error) => error.extensions?.code);
  }
}

/**
 * How this hub takes documents (/console/hub.json, written by useConsole.ts):
 * with trusted documents only, each operation is sent by the id of its agreed
 * text, never as text.
 */
const hub = fetch('/console/hub.json').then((response) => response.json()).catch(() => ({ trustedDocuments: false, documentIds: {} }));

/**
 * One operation of the console (by its name in consoleDocuments.js) against the
 * public API, as any client sends it. Resolves with data; partial answers keep their errors.
 */
export async function api(name, variables = {}) {
  const { trustedDocuments, documentIds } = await hub;
  const document = trustedDocuments ? { documentId: documentIds[name] } : { query: documents[name] };
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${session.token}`, 'x-hub-purpose': 'AUDIT' },
    body: JSON.stringify({ ...document, operationName: name, variables }),
  });
  const body = await response.json().catch(() => ({ errors: [{ message: `The hub answered HTTP ${response.status}.` }] }));
  if (body.errors?.length && !body.data) throw new ApiError(body.errors);
  return { data: body.data, errors: body.errors ?? [] };
}

export function showError(error) {
  const box = $('#error');
  box.textContent = error ? String(error.message ?? error) : '';
  box.hidden = !error;
}

/** Runs an action of the page, showing what went wrong instead of failing silently. */
export const guarded = (action) => async (event) => {
  event?.preventDefault?.();
  try {
    showError(null);
    await action(event);
  } catch (error) {
    showError(error);
  }
};

/**
 * Marks the latest call of a loader: a slower answer to an earlier request
 * (a tab opened, then a filter applied) must not overwrite a later one.
 */
export function latestOnly() {
  let latest = 0;
  return () => {
    const mine = ++latest;
    return () => mine === latest;
  };
}

export const formatTime = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').replace('Z', '') : '');
