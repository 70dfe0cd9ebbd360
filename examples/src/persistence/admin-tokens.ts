// Admin sign-in tokens: a random secret that the operator is given once, kept only as its
// SHA-256 digest (like API keys), and exchanged for a session cookie by the API Keys page.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AnyKysely } from '@keygate/sql';
import { ADMIN_TOKENS_TABLE } from './example-tables.js';

/**
 * Issues and checks admin tokens.
 *
 * @example
 * ```ts
 * const tokens = new SqlAdminTokens(db);
 * const token = await tokens.replace('org_demo'); // print it once
 * await tokens.organisationOf(token); // 'org_demo'
 * ```
 */
export class SqlAdminTokens {
  readonly #db: AnyKysely;

  constructor(db: AnyKysely) {
    this.#db = db;
  }

  /**
   * Makes `token` (default: a new random one) the organisation admin's only token; the previous
   * ones stop working. Returns the token, to be shown once.
   */
  async replace(organisationId: string, token: string = generateAdminToken()): Promise<string> {
    await this.#db
      .deleteFrom(ADMIN_TOKENS_TABLE)
      .where('organisation_id', '=', organisationId)
      .execute();
    await this.#db
      .insertInto(ADMIN_TOKENS_TABLE)
      .values({
        token_hash: digest(token),
        organisation_id: organisationId,
        created_at: new Date().toISOString(),
      })
      .execute();
    return token;
  }

  /** The organisation a token signs in to, or `null`. */
  async organisationOf(token: string): Promise<string | null> {
    if (typeof token !== 'string' || token.length < 16 || token.length > 200) return null;
    const hash = digest(token);
    const row = await this.#db
      .selectFrom(ADMIN_TOKENS_TABLE)
      .select(['token_hash', 'organisation_id'])
      .where('token_hash', '=', hash)
      .executeTakeFirst();
    // The lookup is by digest; comparing the digests again in constant time costs nothing.
    if (
      row === undefined ||
      !timingSafeEqual(Buffer.from(String(row.token_hash)), Buffer.from(hash))
    ) {
      return null;
    }
    return String(row.organisation_id);
  }
}

/** A random admin token: `kga_` and 256 random bits. */
export function generateAdminToken(): string {
  return `kga_${randomBytes(32).toString('base64url')}`;
}

function digest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
