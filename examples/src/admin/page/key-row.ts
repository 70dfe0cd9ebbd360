// One key as a row of the list: its name, prefix, environment, scopes, limits, times, status and
// the buttons that act on it. On phones the row becomes a card (admin.css).
import { creditsText, rateLimitText, refillText } from './key-text.js';
import type { ManagedKey } from './page-api.js';
import { cell, dateTime, rowButton, span, time } from './page-elements.js';

/** What the row's buttons do. */
export interface KeyRowActions {
  usage(key: ManagedKey, from: HTMLElement): void;
  edit(key: ManagedKey, from: HTMLElement): void;
  setEnabled(key: ManagedKey, enabled: boolean, from: HTMLElement): void;
  rotate(key: ManagedKey, from: HTMLElement): void;
  remove(key: ManagedKey, from: HTMLElement): void;
}

const STATUS_TEXT: Readonly<Record<ManagedKey['status'], string>> = {
  active: 'Active',
  expired: 'Expired',
  revoked: 'Revoked',
  disabled: 'Disabled',
};

export function keyRow(key: ManagedKey, actions: KeyRowActions): HTMLTableRowElement {
  const row = document.createElement('tr');
  row.dataset.keyId = key.id;
  row.dataset.status = key.status;
  row.append(
    cell('Key', identity(key, actions), 'key-identity'),
    cell('Scopes', scopeList(key.scopes), 'key-scopes'),
    cell('Limits', limits(key), 'key-limits'),
    cell('Created', time(key.createdAt, '', false)),
    cell('Last used', time(key.lastUsedAt, 'Never'), 'last-used'),
    cell('Expires', time(key.expiresAt, 'Never'), 'key-expires'),
    cell('Status', stack(statusBadges(key)), 'key-status'),
    cell('Actions', rowActions(key, actions), 'row-actions'),
  );
  return row;
}

// Name on the first line; the prefix and the environment (the same for all its requests) below.
function identity(key: ManagedKey, actions: KeyRowActions): HTMLDivElement {
  const prefix = document.createElement('code');
  prefix.textContent = `${key.prefix}…`;
  const details = document.createElement('span');
  details.className = 'key-details';
  details.append(prefix, ' ', span(`badge environment ${key.environment}`, key.environment));
  // The name opens the key's usage: its requests over the last days and its activity.
  const name = rowButton(key.name, `Usage of ${key.name}`, () => actions.usage(key, name));
  name.className = 'key-name link';
  return stack([name, details]);
}

function limits(key: ManagedKey): HTMLDivElement {
  if (key.rateLimit === null && key.credits === null) return stack([span('none', 'None')]);
  const parts: HTMLElement[] = [];
  if (key.rateLimit !== null) parts.push(span('limit rate-limit', rateLimitText(key.rateLimit)));
  if (key.credits !== null) {
    parts.push(span('limit credits', creditsText(key.credits)));
    if (key.credits.refill !== null)
      parts.push(span('limit refill', refillText(key.credits.refill)));
  }
  return stack(parts);
}

// One child per cell, so that the phone layout puts the cell's label on the left of all of it.
function stack(parts: readonly (Node | string)[]): HTMLDivElement {
  const box = document.createElement('div');
  box.className = 'stack';
  box.append(...parts);
  return box;
}

function scopeList(scopes: readonly string[]): Node {
  if (scopes.length === 0) return span('none', 'None');
  const list = document.createElement('span');
  list.className = 'scope-list';
  for (const scope of scopes) {
    const shown = document.createElement('code');
    shown.textContent = scope;
    list.append(shown);
  }
  return list;
}

function statusBadges(key: ManagedKey): (Node | string)[] {
  const rotating = key.status === 'active' && key.replacedById !== null;
  const badge = span(
    `badge ${rotating ? 'rotating' : key.status}`,
    rotating ? 'Rotated' : STATUS_TEXT[key.status],
  );
  if (key.status === 'disabled' && key.disabledAt !== null) {
    badge.title = `Disabled on ${dateTime.format(new Date(key.disabledAt))}`;
  }
  const badges: (Node | string)[] = [badge];
  if (key.leakedAt !== null) {
    // Reported public by a secret scanner: the owner should replace it, even if it still works.
    const leaked = span('badge leaked', 'Leaked');
    leaked.title = `Reported public on ${dateTime.format(new Date(key.leakedAt))}`;
    badges.push(' ', leaked);
  }
  return badges;
}

function rowActions(key: ManagedKey, actions: KeyRowActions): HTMLDivElement {
  const box = document.createElement('div');
  const revoked = key.status === 'revoked';
  // Revocation is final: a revoked key is neither edited nor enabled again.
  const edit = rowButton('Edit', `Edit ${key.name}`, () => actions.edit(key, edit));
  edit.disabled = revoked;
  const disabled = key.status === 'disabled';
  const toggle = rowButton(
    disabled ? 'Enable' : 'Disable',
    `${disabled ? 'Enable' : 'Disable'} ${key.name}`,
    () => actions.setEnabled(key, disabled, toggle),
  );
  toggle.disabled = revoked;
  const rotate = rowButton('Rotate', `Rotate ${key.name}`, () => actions.rotate(key, rotate));
  rotate.disabled = key.status !== 'active' || key.replacedById !== null;
  const remove = rowButton('Delete', `Delete ${key.name}`, () => actions.remove(key, remove));
  box.append(edit, toggle, rotate, remove);
  return box;
}
