// Signs secret-scanning alerts the way GitHub does (ECDSA P-256, SHA-256, base64 DER), with a key
// pair made on the spot: for testing an alert endpoint without GitHub.

/** A signing key and what an endpoint needs to trust it. */
export interface TestAlertSigner {
  /** The `key_identifier` this signer's alerts name. */
  readonly keyIdentifier: string;
  /** The public key as PEM (`-----BEGIN PUBLIC KEY-----`). */
  readonly publicKeyPem: string;
  /** One entry of a key list in GitHub's format. */
  readonly entry: { key_identifier: string; key: string; is_current: boolean };
  /** The headers GitHub would send with `body`. */
  sign(body: string | Uint8Array): Promise<Record<string, string>>;
}

/**
 * Makes a P-256 key pair and answers a signer for it.
 *
 * @example
 * ```ts
 * const signer = await createTestAlertSigner();
 * const handle = createSecretScanningHandler({ verifier, publicKeys: { public_keys: [signer.entry] } });
 * const body = JSON.stringify([{ token: key, type: 'keygate_api_key', url: '', source: 'content' }]);
 * await handle(new Request(url, { method: 'POST', body, headers: await signer.sign(body) }));
 * ```
 */
export async function createTestAlertSigner(
  keyIdentifier: string = randomIdentifier(),
): Promise<TestAlertSigner> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
  const lines = toBase64(spki).match(/.{1,64}/g) ?? [];
  const publicKeyPem = `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`;
  return {
    keyIdentifier,
    publicKeyPem,
    entry: { key_identifier: keyIdentifier, key: publicKeyPem, is_current: true },
    async sign(body) {
      const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
      const raw = new Uint8Array(
        await crypto.subtle.sign(
          { name: 'ECDSA', hash: 'SHA-256' },
          pair.privateKey,
          new Uint8Array(bytes),
        ),
      );
      return {
        'content-type': 'application/json',
        'github-public-key-identifier': keyIdentifier,
        'github-public-key-signature': toBase64(p1363ToDer(raw)),
      };
    },
  };
}

/** IEEE P1363 (`r || s`) to DER, as GitHub sends signatures: minimal, positive integers. */
export function p1363ToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  const integer = (bytes: Uint8Array): number[] => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const content = [...bytes.subarray(start)];
    if (content[0]! & 0x80) content.unshift(0);
    return [0x02, content.length, ...content];
  };
  const body = [...integer(raw.subarray(0, half)), ...integer(raw.subarray(half))];
  return Uint8Array.from(
    body.length < 0x80 ? [0x30, body.length, ...body] : [0x30, 0x81, body.length, ...body],
  );
}

function randomIdentifier(): string {
  return [...crypto.getRandomValues(new Uint8Array(32))]
    .map((byte) => byte.toString(16).padStart(2, '0'))
    .join('');
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
