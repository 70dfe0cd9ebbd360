// The list of the organisation's keys, a page at a time: the first page on sign-in and refresh,
// the next ones through "Load more" (the endpoint's nextCursor), so that no key is out of reach.
import { type KeyRowActions, keyRow } from './key-row.js';
import { API, type ManagedKey, request } from './page-api.js';
import { element, oneAtATime } from './page-elements.js';

/** Keys asked for per request. */
export const PAGE_SIZE = 100;

let nextCursor: string | null = null;
let shown = 0;
let rowActions: KeyRowActions;

/** Says what the rows' buttons do; called once, before the first load. */
export function useRowActions(actions: KeyRowActions): void {
  rowActions = actions;
}

async function fetchPage(cursor: string | null) {
  const query = `limit=${PAGE_SIZE}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
  return request<{ keys: ManagedKey[]; nextCursor: string | null }>('GET', `${API}/keys?${query}`);
}

/** Loads the list again from its first page. */
export async function loadKeys(): Promise<void> {
  const page = await fetchPage(null);
  shown = 0;
  element('key-rows').replaceChildren();
  append(page.keys, page.nextCursor);
}

/** Loads the next page under the rows already shown. */
export async function loadMoreKeys(): Promise<void> {
  const cursor = nextCursor;
  if (cursor === null) return;
  const page = await oneAtATime(element<HTMLButtonElement>('load-more'), () => fetchPage(cursor));
  if (page === undefined) return;
  const firstNew = page.keys[0]?.id;
  append(page.keys, page.nextCursor);
  // The button is gone after the last page: focus moves to the first key it brought.
  if (page.nextCursor === null && firstNew !== undefined) {
    element('key-rows')
      .querySelector<HTMLButtonElement>(`tr[data-key-id="${CSS.escape(firstNew)}"] button`)
      ?.focus();
  }
}

function append(keys: readonly ManagedKey[], cursor: string | null): void {
  nextCursor = cursor;
  shown += keys.length;
  element('key-rows').append(...keys.map((key) => keyRow(key, rowActions)));
  element('no-keys').hidden = shown > 0;
  element('key-table').hidden = shown === 0;
  element('load-more').hidden = cursor === null;
  element('key-count').textContent =
    shown === 0
      ? ''
      : `${shown} key${shown === 1 ? '' : 's'} shown${cursor === null ? '' : ', more to load'}.`;
}

/** Shows a changed key in its row, where it is, without reloading the list. */
export function replaceKey(key: ManagedKey): HTMLTableRowElement | undefined {
  const rows = element('key-rows');
  const old = Array.from(rows.children).find(
    (row) => (row as HTMLElement).dataset.keyId === key.id,
  );
  if (old === undefined) return undefined;
  const row = keyRow(key, rowActions);
  old.replaceWith(row);
  return row;
}
