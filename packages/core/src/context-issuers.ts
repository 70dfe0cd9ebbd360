// Which verifier built each auth context, kept where every copy of @keygate/core in the process
// sees it. An application may load core twice (its CommonJS build from `require`, its ESM build
// from an adapter's `import`): a map private to one copy would leave `requireScopes` of the other
// unable to find the verifier of a context (docs/design.md, "Verification").
import type { AuthContext } from './auth-context.js';
import type { Verifier } from './verifier.js';

/** The global registry key; `Symbol.for` gives every copy of core the same symbol. */
const ISSUERS = Symbol.for('@keygate/core: verifier of each auth context');

type GlobalWithIssuers = typeof globalThis & {
  [ISSUERS]?: WeakMap<AuthContext, Verifier>;
};

const shared = globalThis as GlobalWithIssuers;
shared[ISSUERS] ??= new WeakMap();

/** The verifier of each context, shared by every copy of core loaded in this process. */
export const issuers: WeakMap<AuthContext, Verifier> = shared[ISSUERS];
