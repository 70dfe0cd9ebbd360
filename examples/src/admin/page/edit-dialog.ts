// The "Edit API key" dialog: a key's name, expiry, scopes and limits, sent as one PATCH with only
// the fields the admin changed (docs of the management handler: one read, one write).
import { replaceKey } from './key-list.js';
import { parseScopes } from './key-text.js';
import { keyPath, type ManagedKey, request } from './page-api.js';
import { closeDialog, dateTime, element, failed, openDialog, say } from './page-elements.js';
import { fillQuotaFields, QuotaFieldError, quotaChanges, quotaFields } from './quota-fields.js';

let editing: ManagedKey | null = null;
let onSaved: () => void = () => {};
const limits = () => quotaFields('edit');

/** Opens the dialog on a key. */
export function openEdit(key: ManagedKey, from: HTMLElement): void {
  editing = key;
  element<HTMLFormElement>('edit-form').reset();
  element('edit-error').textContent = '';
  element('edit-prefix').textContent = key.prefix;
  element('edit-environment').textContent = key.environment;
  element<HTMLInputElement>('edit-name').value = key.name;
  element<HTMLInputElement>('edit-scopes').value = key.scopes.join(', ');
  const expiry = element<HTMLSelectElement>('edit-expiry');
  element('edit-expiry-keep').textContent =
    key.expiresAt === null
      ? 'Unchanged (never)'
      : `Unchanged (${dateTime.format(new Date(key.expiresAt))})`;
  // A rotated key ends with its grace period: a later expiry would keep two keys alive.
  const rotated = key.replacedById !== null;
  expiry.disabled = rotated;
  element('edit-expiry-hint').textContent = rotated
    ? 'A rotated key stops working when its grace period ends.'
    : '';
  showDate(false);
  fillQuotaFields(limits(), key);
  openDialog(element<HTMLDialogElement>('edit-dialog'), from);
}

function showDate(shown: boolean): void {
  const date = element<HTMLInputElement>('edit-expiry-date');
  date.hidden = !shown;
  date.required = shown;
  if (shown) {
    const tomorrow = new Date(Date.now() + 86_400_000);
    date.min = localDate(tomorrow);
    if (date.value === '') date.value = localDate(new Date(Date.now() + 30 * 86_400_000));
  }
}

function localDate(when: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}`;
}

// `expiresIn`, `expiresAt` or nothing, as the select says; a date means the end of that day here.
function expiryChange(): { expiresIn?: string; expiresAt?: string | null } {
  const choice = element<HTMLSelectElement>('edit-expiry');
  if (choice.disabled || choice.value === 'keep') return {};
  if (choice.value === 'never') return { expiresAt: null };
  if (choice.value === 'date') {
    const [year, month, day] = element<HTMLInputElement>('edit-expiry-date')
      .value.split('-')
      .map(Number);
    return { expiresAt: new Date(year!, month! - 1, day!, 23, 59, 59).toISOString() };
  }
  return { expiresIn: choice.value };
}

function changes(key: ManagedKey): Record<string, unknown> {
  const name = element<HTMLInputElement>('edit-name').value.trim();
  const scopes = parseScopes(element<HTMLInputElement>('edit-scopes').value);
  return {
    ...(name === key.name ? {} : { name }),
    ...expiryChange(),
    ...(scopes.join(' ') === key.scopes.join(' ') ? {} : { scopes }),
    ...quotaChanges(limits(), key),
  };
}

async function save(): Promise<void> {
  const key = editing;
  if (key === null) return;
  const dialog = element<HTMLDialogElement>('edit-dialog');
  try {
    const body = changes(key);
    if (Object.keys(body).length === 0) {
      closeDialog(dialog);
      say('Nothing was changed.');
      return;
    }
    const updated = await request<ManagedKey>('PATCH', keyPath(key.id), body);
    editing = null;
    closeDialog(dialog);
    replaceKey(updated)?.querySelector<HTMLButtonElement>('.row-actions button')?.focus();
    say(`Saved "${updated.name}".`);
    onSaved();
  } catch (error) {
    if (error instanceof QuotaFieldError) element('edit-error').textContent = error.message;
    else failed(error, element('edit-error'));
  }
}

/** Wires the dialog's form; called once. `saved` runs after each saved change. */
export function wireEditDialog(saved: () => void): void {
  onSaved = saved;
  element('edit-expiry').addEventListener('change', (event) =>
    showDate((event.currentTarget as HTMLSelectElement).value === 'date'),
  );
  element<HTMLFormElement>('edit-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void save();
  });
}
