// The API Keys page's entry script: sign in (also from a `#token=` link, even in a tab already
// open), the list, and the dialogs that create, edit, disable, rotate and delete keys. Served as
// ES modules compiled at server start; talks only to the page's own JSON endpoints.
import { loadActivity, loadMoreActivity } from './activity-view.js';
import { openEdit, wireEditDialog } from './edit-dialog.js';
import { loadKeys, loadMoreKeys, replaceKey, useRowActions } from './key-list.js';
import { parseScopes } from './key-text.js';
import {
  API,
  keyPath,
  type ManagedKey,
  request,
  type SessionInfo,
  useCsrfToken,
  whenSignedOut,
} from './page-api.js';
import {
  closeDialog,
  dateTime,
  element,
  failed,
  openDialog,
  restoreFocus,
  say,
} from './page-elements.js';
import {
  fillQuotaFields,
  mountQuotaFields,
  QuotaFieldError,
  quotaFields,
  readCredits,
  readRateLimit,
} from './quota-fields.js';
import { showSecret, wireSecretDialog } from './secret-dialog.js';
import { openUsage } from './usage-dialog.js';

function showSignIn(): void {
  useCsrfToken('');
  element('keys').hidden = true;
  element('activity').hidden = true;
  element('sign-out').hidden = true;
  element('organisation-name').textContent = '';
  element('sign-in').hidden = false;
  element<HTMLInputElement>('token').focus();
}

async function showKeys(session: SessionInfo): Promise<void> {
  useCsrfToken(session.csrfToken);
  showEnvironments(session.environments ?? []);
  element('sign-in').hidden = true;
  element('keys').hidden = false;
  element('sign-out').hidden = false;
  element('organisation-name').textContent = session.organisationName;
  element('activity').hidden = false;
  await loadKeys();
  refreshActivity();
}

// The activity follows every change; it loading late or failing never holds up the keys.
function refreshActivity(): void {
  element('activity-error').textContent = '';
  loadActivity().catch((error) => failed(error, element('activity-error')));
}

// The server says which environments keys may be made for; with one (or none said) there is
// nothing to choose and the server's default applies.
function showEnvironments(environments: readonly string[]): void {
  const select = element<HTMLSelectElement>('key-environment');
  select.replaceChildren(
    ...environments.map((environment) => new Option(environment, environment)),
  );
  element('key-environment-field').hidden = environments.length < 2;
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

// A sign-in link carries the token in the fragment, which browsers never send to a server; it
// leaves the address bar (and the history) as soon as it is read.
async function signInFromLink(): Promise<boolean> {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (token === null) return false;
  history.replaceState(null, '', location.pathname + location.search);
  await signIn(token);
  return true;
}

async function setEnabled(key: ManagedKey, enabled: boolean): Promise<void> {
  try {
    const updated = await request<ManagedKey>('PATCH', keyPath(key.id), { enabled });
    const row = replaceKey(updated);
    row
      ?.querySelector<HTMLButtonElement>(`button[aria-label^="${enabled ? 'Disable' : 'Enable'}"]`)
      ?.focus();
    refreshActivity();
    say(
      enabled
        ? `Enabled "${key.name}". Requests with it are accepted again.`
        : `Disabled "${key.name}". Requests with it are refused until you enable it.`,
    );
  } catch (error) {
    failed(error, element('status'));
  }
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

async function create(): Promise<void> {
  const name = element<HTMLInputElement>('key-name').value.trim();
  const expiresIn = element<HTMLSelectElement>('key-expiry').value;
  const environmentField = element('key-environment-field');
  const environment = element<HTMLSelectElement>('key-environment').value;
  const scopes = parseScopes(element<HTMLInputElement>('key-scopes').value);
  try {
    const limits = quotaFields('create');
    const rateLimit = readRateLimit(limits);
    const credits = readCredits(limits);
    const created = await request<{ key: string; record: ManagedKey }>('POST', `${API}/keys`, {
      name,
      ...(expiresIn === '' ? {} : { expiresIn }),
      ...(environmentField.hidden || environment === '' ? {} : { environment }),
      ...(scopes.length === 0 ? {} : { scopes }),
      ...(rateLimit === null ? {} : { rateLimit }),
      ...(credits === null ? {} : { credits }),
    });
    closeDialog(element<HTMLDialogElement>('create-dialog'));
    showSecret(created.key);
    say(`Created "${created.record.name}".`);
    await loadKeys();
    refreshActivity();
  } catch (error) {
    if (error instanceof QuotaFieldError) element('create-error').textContent = error.message;
    else failed(error, element('create-error'));
  }
}

async function rotate(): Promise<void> {
  const key = pendingRotate;
  if (key === null) return;
  const gracePeriod = element<HTMLSelectElement>('grace').value;
  try {
    const rotated = await request<{ key: string; previous: ManagedKey }>(
      'POST',
      keyPath(key.id, 'rotate'),
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
    refreshActivity();
  } catch (error) {
    failed(error, element('rotate-error'));
  }
}

function wire(): void {
  mountQuotaFields();
  whenSignedOut(showSignIn);
  useRowActions({
    edit: openEdit,
    usage: (key, from) => void openUsage(key, from),
    setEnabled: (key, enabled) => void setEnabled(key, enabled),
    rotate: openRotate,
    remove: openDelete,
  });
  for (const dialog of Array.from(document.querySelectorAll('dialog'))) {
    if (dialog.id === 'secret-dialog') continue;
    for (const button of Array.from(dialog.querySelectorAll('[data-close]'))) {
      button.addEventListener('click', () => closeDialog(dialog));
    }
    dialog.addEventListener('close', restoreFocus);
  }
  wireSecretDialog();
  wireEditDialog(refreshActivity);

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
    refreshActivity();
    loadKeys().then(
      () => say('Keys refreshed.'),
      (error) => failed(error, element('status')),
    );
  });

  element('activity-more').addEventListener('click', () => {
    loadMoreActivity().catch((error) => failed(error, element('activity-error')));
  });

  element('load-more').addEventListener('click', () => {
    loadMoreKeys().catch((error) => failed(error, element('status')));
  });

  element('create-open').addEventListener('click', (event) => {
    element<HTMLFormElement>('create-form').reset();
    fillQuotaFields(quotaFields('create'), null);
    element('create-error').textContent = '';
    openDialog(element<HTMLDialogElement>('create-dialog'), event.currentTarget as HTMLElement);
  });

  element<HTMLFormElement>('create-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void create();
  });

  const deleteDialog = element<HTMLDialogElement>('delete-dialog');
  deleteDialog.addEventListener('close', async () => {
    const key = pendingDelete;
    pendingDelete = null;
    if (deleteDialog.returnValue !== 'delete' || key === null) return;
    deleteDialog.returnValue = '';
    try {
      await request('DELETE', keyPath(key.id));
      say(`Deleted "${key.name}". Requests with it are refused from now on.`);
      await loadKeys();
      refreshActivity();
      element('create-open').focus();
    } catch (error) {
      failed(error, element('status'));
    }
  });

  element<HTMLFormElement>('rotate-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void rotate();
  });

  // A sign-in link opened in a tab already on the page changes only the fragment: no load.
  window.addEventListener('hashchange', () => {
    signInFromLink().catch((error) => failed(error, element('sign-in-error')));
  });
}

async function start(): Promise<void> {
  wire();
  if (await signInFromLink()) return;
  const response = await fetch('/admin/session', { credentials: 'same-origin' });
  if (response.ok) await showKeys((await response.json()) as SessionInfo);
  else showSignIn();
}

void start();
