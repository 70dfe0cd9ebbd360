// Keeps store credentials out of everything the CLI prints: a URL's password is masked even when
// the URL does not parse (a bad port, a typo), and wherever an error message repeats it.

// `scheme://user:password@` up to the last `@` of the word: masking too much beats leaking.
const USER_INFO = /([a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:)[^\s]*@/gi;

/**
 * `text` with the password of every URL in it replaced by `***`, and every occurrence of the
 * given secrets (the password of the store URL, as typed and decoded) too.
 *
 * @example
 * ```ts
 * maskCredentials('unknown store "postgres://me:pw@db:99999/x"'); // '… "postgres://me:***@db:99999/x"'
 * ```
 */
export function maskCredentials(text: string, secrets: readonly string[] = []): string {
  let masked = text.replace(USER_INFO, '$1***@');
  for (const secret of secrets) {
    // Short secrets would mask unrelated text; the URL pattern above already caught them there.
    if (secret.length >= 4) masked = masked.split(secret).join('***');
  }
  return masked;
}

/**
 * The password in a store URL, as typed and percent-decoded, without parsing it as a URL (which
 * fails for exactly the URLs that need masking most: those with a typo).
 *
 * @example
 * ```ts
 * urlSecrets('postgres://me:p%40ss@db/x'); // ['p%40ss', 'p@ss']
 * ```
 */
export function urlSecrets(url: string): string[] {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:([^\s]*)@/i.exec(url.trim());
  if (match === null || match[1] === '') return [];
  const typed = match[1]!;
  let decoded = typed;
  try {
    decoded = decodeURIComponent(typed);
  } catch {
    // Not valid percent-encoding: the typed form is all there is.
  }
  return decoded === typed ? [typed] : [typed, decoded];
}
