// Small DOM pieces the page's modules share: finding elements, the status line, table cells,
// times, and where an error is shown.
import { NotSignedIn } from './page-api.js';

export const dateTime = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
});

/** Days only, where the time of day says little (when a key was created). */
export const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** The element with this id (the page's HTML has every id the scripts use). */
export const element = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** Says something in the page's polite live region. */
export function say(message: string): void {
  element('status').textContent = message;
}

/** Shows an error's message in `where`; nothing when the session ended (the sign-in form shows). */
export function failed(error: unknown, where: HTMLElement): void {
  if (error instanceof NotSignedIn) return;
  where.textContent = error instanceof Error ? error.message : String(error);
}

const clockTime = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/**
 * A `<time>` for an ISO time, or `none` as text: the day, and below it the time of day unless
 * `withClock` is false (the full time is in the tooltip either way). Two short lines keep the
 * table within a laptop's width.
 */
export function time(iso: string | null, none: string, withClock = true): HTMLElement {
  if (iso === null) {
    const span = document.createElement('span');
    span.textContent = none;
    return span;
  }
  const when = new Date(iso);
  const shown = document.createElement('time');
  shown.dateTime = iso;
  shown.title = dateTime.format(when);
  shown.append(dateOnly.format(when));
  if (withClock) {
    const clock = document.createElement('span');
    clock.className = 'clock';
    clock.textContent = clockTime.format(when);
    shown.append(' ', clock);
  }
  return shown;
}

/** A table cell labelled for the phone layout, where each row becomes a card. */
export function cell(
  label: string,
  content: string | Node | readonly (string | Node)[],
  className?: string,
): HTMLTableCellElement {
  const td = document.createElement('td');
  td.dataset.label = label;
  if (className !== undefined) td.className = className;
  if (Array.isArray(content)) td.append(...content);
  else td.append(content as string | Node);
  return td;
}

/** A `<span>` with a class and text. */
export function span(className: string, text: string): HTMLSpanElement {
  const shown = document.createElement('span');
  shown.className = className;
  shown.textContent = text;
  return shown;
}

/** A button of a row, named for screen readers after the key it acts on. */
export function rowButton(text: string, label: string, onClick: () => void): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = text;
  button.setAttribute('aria-label', label);
  button.addEventListener('click', onClick);
  return button;
}

/**
 * Runs `task` with `button` disabled, or nothing when it already is: a second click while a page
 * loads would ask for the same page again.
 */
export async function oneAtATime<T>(
  button: HTMLButtonElement,
  task: () => Promise<T>,
): Promise<T | undefined> {
  if (button.disabled) return undefined;
  button.disabled = true;
  try {
    return await task();
  } finally {
    button.disabled = false;
  }
}

let lastFocus: HTMLElement | null = null;

/** Opens a modal dialog; focus goes back to `from` when it closes. */
export function openDialog(dialog: HTMLDialogElement, from: HTMLElement | null): void {
  if (from !== null) lastFocus = from;
  dialog.showModal();
}

export function closeDialog(dialog: HTMLDialogElement): void {
  if (dialog.open) dialog.close();
}

/** Focus back where it was before the last dialog opened. */
export function restoreFocus(): void {
  if (lastFocus?.isConnected) lastFocus.focus();
}
