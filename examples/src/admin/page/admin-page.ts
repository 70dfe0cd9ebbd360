// The API Keys page's script: sign in, list keys, create one (shown once), rotate and delete.
// Compiled to plain JavaScript at server start; talks only to the page's own JSON endpoints.

interface ManagedKey {
  id: string;
  name: string;
  prefix: string;
  status: 'active' | 'expired' | 'revoked';
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  replacedById: string | null;
  leakedAt: string | null;
}

interface SessionInfo {
  organisationId: string;
  organisationName: string;
  csrfToken: string;
}

class NotSignedIn extends Error {}

const API = '/admin/api';
let csrfToken = '';
let lastFocus: HTMLElement | null = null;

const element = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      'x-csrf-token': csrfToken,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status === 401) {
    showSignIn();
    throw new NotSignedIn('Your session ended: sign in again.');
  }
  if (response.status === 204) return undefined as T;
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(
      (answer as { detail?: string }).detail ?? `The server answered ${response.status}.`,
    );
  }
  return answer as T;
}

function say(message: string): void {
  element('status').textContent = message;
}

function showSignIn(): void {
  csrfToken = '';
  element('keys').hidden = true;
  element('sign-out').hidden = true;
  element('organisation-name').textContent = '';
  element('sign-in').hidden = false;
  element<HTMLInputElement>('token').focus();
}

async function showKeys(session: SessionInfo): Promise<void> {
  csrfToken = session.csrfToken;
  element('sign-in').hidden = true;
  element('keys').hidden = false;
  element('sign-out').hidden = false;
  element('organisation-name').textContent = session.organisationName;
  await loadKeys();
}

async function signIn(token: string): Promise<void> {
  const errorText = element('sign-in-error');
  errorText.textContent = '';
  const response = await fetch('/admin/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  if (!response.ok) {
    showSignIn();
    errorText.textContent = 'That admin token is not valid.';
    return;
  }
  element<HTMLInputElement>('token').value = '';
  await showKeys((await response.json()) as SessionInfo);
  say('Signed in.');
}

async function loadKeys(): Promise<void> {
  const { keys } = await request<{ keys: ManagedKey[] }>('GET', `${API}/keys?limit=1000`);
  const rows = element('key-rows');
  rows.replaceChildren(...keys.map(keyRow));
  element('no-keys').hidden = keys.length > 0;
  element('key-table').hidden = keys.length === 0;
}

function time(iso: string | null, none: string): HTMLElement {
  if (iso === null) {
    const span = document.createElement('span');
    span.textContent = none;
    return span;
  }
  const shown = document.createElement('time');
  shown.dateTime = iso;
  shown.textContent = dateTime.format(new Date(iso));
  return shown;
}

function cell(label: string, content: string | Node, className?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.dataset.label = label;
  if (className !== undefined) td.className = className;
  td.append(content);
  return td;
}

function keyRow(key: ManagedKey): HTMLTableRowElement {
  const row = document.createElement('tr');
  row.dataset.keyId = key.id;
  const prefix = document.createElement('code');
  prefix.textContent = `${key.prefix}…`;
  const badge = document.createElement('span');
  const rotating = key.status === 'active' && key.replacedById !== null;
  badge.className = `badge ${rotating ? 'rotating' : key.status}`;
  badge.textContent = rotating ? 'Rotated' : key.status[0]!.toUpperCase() + key.status.slice(1);
  const status: (Node | string)[] = [badge];
  if (key.leakedAt !== null) {
    // Reported public by a secret scanner: the owner should replace it, even if it still works.
    const leaked = document.createElement('span');
    leaked.className = 'badge leaked';
    leaked.textContent = 'Leaked';
    leaked.title = `Reported public on ${dateTime.format(new Date(key.leakedAt))}`;
    status.push(' ', leaked);
  }
  const actions = document.createElement('div');
  const rotate = document.createElement('button');
  rotate.type = 'button';
  rotate.textContent = 'Rotate';
  rotate.setAttribute('aria-label', `Rotate ${key.name}`);
  rotate.disabled = key.status !== 'active' || key.replacedById !== null;
  rotate.addEventListener('click', () => openRotate(key, rotate));
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.textContent = 'Delete';
  remove.setAttribute('aria-label', `Delete ${key.name}`);
  remove.addEventListener('click', () => openDelete(key, remove));
  actions.append(rotate, remove);
  row.append(
    cell('Name', key.name, 'key-name'),
    cell('Prefix', prefix),
    cell('Created', time(key.createdAt, '')),
    cell('Last used', time(key.lastUsedAt, 'Never'), 'last-used'),
    cell('Expires', time(key.expiresAt, 'Never')),
    cell('Status', statusCell(status), 'key-status'),
    cell('Actions', actions, 'row-actions'),
  );
  return row;
}

function statusCell(parts: readonly (Node | string)[]): DocumentFragment {
  const fragment = document.createDocumentFragment();
  fragment.append(...parts);
  return fragment;
}

function openDialog(dialog: HTMLDialogElement, from: HTMLElement | null): void {
  lastFocus = from;
  dialog.showModal();
}

function closeDialog(dialog: HTMLDialogElement): void {
  if (dialog.open) dialog.close();
}

// The key is shown once: it leaves the page as soon as its dialog closes.
function showSecret(key: string): void {
  const dialog = element<HTMLDialogElement>('secret-dialog');
  element<HTMLInputElement>('secret-value').value = key;
  element('copy-status').textContent = '';
  openDialog(dialog, lastFocus);
}

async function copySecret(): Promise<void> {
  const input = element<HTMLInputElement>('secret-value');
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    // Without the clipboard API (plain HTTP on another host), select it for Ctrl+C.
    input.select();
    document.execCommand('copy');
  }
  element('copy-status').textContent = 'Copied to the clipboard.';
}

let pendingDelete: ManagedKey | null = null;
function openDelete(key: ManagedKey, from: HTMLElement): void {
  pendingDelete = key;
  element('delete-name').textContent = key.name;
  element('delete-prefix').textContent = key.prefix;
  openDialog(element<HTMLDialogElement>('delete-dialog'), from);
}

let pendingRotate: ManagedKey | null = null;
function openRotate(key: ManagedKey, from: HTMLElement): void {
  pendingRotate = key;
  element('rotate-name').textContent = key.name;
  element('rotate-error').textContent = '';
  openDialog(element<HTMLDialogElement>('rotate-dialog'), from);
}

function failed(error: unknown, where: HTMLElement): void {
  if (error instanceof NotSignedIn) return;
  where.textContent = error instanceof Error ? error.message : String(error);
}

function wire(): void {
  for (const dialog of Array.from(document.querySelectorAll('dialog'))) {
    for (const button of Array.from(dialog.querySelectorAll('[data-close]'))) {
      button.addEventListener('click', () => closeDialog(dialog));
    }
    dialog.addEventListener('close', () => {
      if (dialog.id === 'secret-dialog') element<HTMLInputElement>('secret-value').value = '';
      lastFocus?.focus();
    });
  }

  element<HTMLFormElement>('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void signIn(element<HTMLInputElement>('token').value.trim());
  });

  element('sign-out').addEventListener('click', async () => {
    await request('DELETE', '/admin/session').catch(() => undefined);
    showSignIn();
    say('Signed out.');
  });

  element('refresh').addEventListener('click', () => {
    loadKeys().then(
      () => say('Keys refreshed.'),
      (error) => failed(error, element('status')),
    );
  });

  element('create-open').addEventListener('click', (event) => {
    element<HTMLFormElement>('create-form').reset();
    element('create-error').textContent = '';
    openDialog(element<HTMLDialogElement>('create-dialog'), event.currentTarget as HTMLElement);
  });

  element<HTMLFormElement>('create-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = element<HTMLInputElement>('key-name').value.trim();
    const expiresIn = element<HTMLSelectElement>('key-expiry').value;
    try {
      const created = await request<{ key: string; record: ManagedKey }>('POST', `${API}/keys`, {
        name,
        ...(expiresIn === '' ? {} : { expiresIn }),
      });
      closeDialog(element<HTMLDialogElement>('create-dialog'));
      showSecret(created.key);
      say(`Created "${created.record.name}".`);
      await loadKeys();
    } catch (error) {
      failed(error, element('create-error'));
    }
  });

  element('copy').addEventListener('click', () => void copySecret());

  const deleteDialog = element<HTMLDialogElement>('delete-dialog');
  deleteDialog.addEventListener('close', async () => {
    const key = pendingDelete;
    pendingDelete = null;
    if (deleteDialog.returnValue !== 'delete' || key === null) return;
    deleteDialog.returnValue = '';
    try {
      await request('DELETE', `${API}/keys/${encodeURIComponent(key.id)}`);
      say(`Deleted "${key.name}". Requests with it are refused from now on.`);
      await loadKeys();
      element('create-open').focus();
    } catch (error) {
      failed(error, element('status'));
    }
  });

  element<HTMLFormElement>('rotate-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = pendingRotate;
    if (key === null) return;
    const gracePeriod = element<HTMLSelectElement>('grace').value;
    try {
      const rotated = await request<{ key: string; previous: ManagedKey }>(
        'POST',
        `${API}/keys/${encodeURIComponent(key.id)}/rotate`,
        { gracePeriod },
      );
      pendingRotate = null;
      closeDialog(element<HTMLDialogElement>('rotate-dialog'));
      showSecret(rotated.key);
      say(
        rotated.previous.status === 'active' && rotated.previous.expiresAt !== null
          ? `Rotated "${key.name}". The old key works until ${dateTime.format(new Date(rotated.previous.expiresAt))}.`
          : `Rotated "${key.name}". The old key is revoked.`,
      );
      await loadKeys();
    } catch (error) {
      failed(error, element('rotate-error'));
    }
  });
}

async function start(): Promise<void> {
  wire();
  // A sign-in link carries the token in the fragment, which browsers never send to a server.
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (token !== null) {
    history.replaceState(null, '', location.pathname);
    await signIn(token);
    return;
  }
  const response = await fetch('/admin/session', { credentials: 'same-origin' });
  if (response.ok) await showKeys((await response.json()) as SessionInfo);
  else showSignIn();
}

void start();

export {};
