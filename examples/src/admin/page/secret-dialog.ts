// The "your new API key" dialog. The key is shown once, so nothing closes the dialog by accident:
// Escape (and any close the browser forces) asks "Discard this key?" inside the dialog, and
// leaving the page asks the browser's own question. Only "I have stored the key" or "Discard"
// let the key go, and then it leaves the page.
import { element, openDialog, restoreFocus } from './page-elements.js';

const dialog = () => element<HTMLDialogElement>('secret-dialog');
const secretInput = () => element<HTMLInputElement>('secret-value');
let letGo = false;

function askingToDiscard(): boolean {
  return !element('secret-discard').hidden;
}

// The key and the question are two steps of one dialog; Escape moves between them.
function showStep(discard: boolean): void {
  element('secret-shown').hidden = discard;
  element('secret-discard').hidden = !discard;
  dialog().setAttribute('aria-labelledby', discard ? 'discard-title' : 'secret-title');
  dialog().setAttribute('aria-describedby', discard ? 'discard-text' : 'secret-warning');
  element(discard ? 'discard-keep' : 'copy').focus();
}

function guardUnload(event: BeforeUnloadEvent): void {
  event.preventDefault();
  // Older browsers ask only when returnValue is set.
  event.returnValue = '';
}

function letTheKeyGo(): void {
  letGo = true;
  dialog().close();
}

/** Shows a key that was just issued. */
export function showSecret(key: string): void {
  letGo = false;
  secretInput().value = key;
  element('copy-status').textContent = '';
  window.addEventListener('beforeunload', guardUnload);
  openDialog(dialog(), null);
  showStep(false);
}

async function copySecret(): Promise<void> {
  const input = secretInput();
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    // Without the clipboard API (plain HTTP on another host), select it for Ctrl+C.
    input.select();
    document.execCommand('copy');
  }
  element('copy-status').textContent = 'Copied to the clipboard.';
}

/** Wires the dialog's buttons and its guards; called once. */
export function wireSecretDialog(): void {
  const secret = dialog();
  element('copy').addEventListener('click', () => void copySecret());
  element('secret-stored').addEventListener('click', letTheKeyGo);
  element('discard-confirm').addEventListener('click', letTheKeyGo);
  element('discard-keep').addEventListener('click', () => showStep(false));
  // Escape is handled here, before it becomes a close request: browsers let a page refuse only
  // one close request per click, and Escape may be pressed many times.
  secret.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    showStep(!askingToDiscard());
  });
  secret.addEventListener('cancel', (event) => {
    // Any other close request (a phone's back gesture): refused when the browser lets us, and
    // otherwise the dialog closes and the close handler below opens it again.
    if (!event.cancelable) return;
    event.preventDefault();
    showStep(!askingToDiscard());
  });
  secret.addEventListener('close', () => {
    if (!letGo && secretInput().value !== '') {
      secret.showModal();
      showStep(!askingToDiscard());
      return;
    }
    secretInput().value = '';
    window.removeEventListener('beforeunload', guardUnload);
    restoreFocus();
  });
}
