// The organisation's activity: the audit log of its keys (created, changed, disabled, rotated,
// deleted, reported leaked), newest first, a page at a time.
import { API, request } from './page-api.js';
import { cell, element, oneAtATime, span, time } from './page-elements.js';

/** One audit event, as `GET /audit` answers it. */
export interface ActivityEvent {
  id: string;
  action: string;
  keyId: string;
  keyPrefix: string;
  actor: string | null;
  ip: string | null;
  at: string;
}

const ACTION_TEXT: Readonly<Record<string, string>> = {
  create: 'Created',
  update: 'Changed',
  disable: 'Disabled',
  enable: 'Enabled',
  revoke: 'Revoked',
  rotate: 'Rotated',
  delete: 'Deleted',
  leak: 'Reported leaked',
};

/** Events asked for per request. */
const PAGE_SIZE = 50;
let nextCursor: string | null = null;

function eventRow(event: ActivityEvent, withKey: boolean): HTMLTableRowElement {
  const row = document.createElement('tr');
  row.dataset.eventId = event.id;
  const prefix = document.createElement('code');
  prefix.textContent = `${event.keyPrefix}…`;
  row.append(
    cell('When', time(event.at, '')),
    cell('Action', span(`action ${event.action}`, ACTION_TEXT[event.action] ?? event.action)),
    ...(withKey ? [cell('Key', prefix)] : []),
    cell('By', event.actor ?? '—'),
    cell('From', event.ip ?? '—'),
  );
  return row;
}

/** A table of events (with a Key column when they are of several keys). */
export function activityTable(events: readonly ActivityEvent[], withKey: boolean): Node {
  if (events.length === 0) return span('none', 'Nothing recorded yet.');
  const table = document.createElement('table');
  table.className = 'activity-table';
  const caption = table.createCaption();
  caption.className = 'visually-hidden';
  caption.textContent = withKey
    ? "What was done to the organisation's keys"
    : 'What was done to this key';
  const head = document.createElement('tr');
  for (const title of ['When', 'Action', ...(withKey ? ['Key'] : []), 'By', 'From']) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = title;
    head.append(th);
  }
  const thead = document.createElement('thead');
  thead.append(head);
  const body = document.createElement('tbody');
  body.append(...events.map((event) => eventRow(event, withKey)));
  table.append(thead, body);
  return table;
}

async function fetchEvents(cursor: string | null) {
  const query = `limit=${PAGE_SIZE}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
  return request<{ events: ActivityEvent[]; nextCursor: string | null }>(
    'GET',
    `${API}/audit?${query}`,
  );
}

/** Loads the organisation's activity from its newest event. */
export async function loadActivity(): Promise<void> {
  const page = await fetchEvents(null);
  nextCursor = page.nextCursor;
  element('activity-events').replaceChildren(activityTable(page.events, true));
  element('activity-more').hidden = nextCursor === null;
}

/** Loads the next page of older events under those shown. */
export async function loadMoreActivity(): Promise<void> {
  const cursor = nextCursor;
  if (cursor === null) return;
  const page = await oneAtATime(element<HTMLButtonElement>('activity-more'), () =>
    fetchEvents(cursor),
  );
  if (page === undefined) return;
  nextCursor = page.nextCursor;
  const body = element('activity-events').querySelector('tbody');
  if (body === null) {
    element('activity-events').replaceChildren(activityTable(page.events, true));
  } else {
    body.append(...page.events.map((event) => eventRow(event, true)));
  }
  element('activity-more').hidden = nextCursor === null;
}
