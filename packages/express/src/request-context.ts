// Attaches the context to Express's `req` without giving every request a new own property: an
// added property takes V8's slow path on Express's request objects (about 10k instructions a
// request, measured with callgrind; issue 17). The context is kept in a WeakMap instead, and
// `req.apiKey` reads it through an accessor defined once on Express's request prototype.
import type { AuthContext } from '@keygate/core';

const contexts = new WeakMap<object, AuthContext>();
// Prototypes already looked at: `true` when `req.apiKey` reads the WeakMap through them.
const readsContexts = new WeakMap<object, boolean>();

const accessor: PropertyDescriptor = {
  configurable: true,
  enumerable: false,
  get(this: object) {
    return contexts.get(this);
  },
  // Code that assigns `req.apiKey` itself gets an own property, as it did before.
  set(this: object, value: unknown) {
    Object.defineProperty(this, 'apiKey', {
      value,
      writable: true,
      configurable: true,
      enumerable: true,
    });
  },
};

/** Makes `req.apiKey` answer `context`. */
export function attachApiKey(req: { apiKey?: AuthContext }, context: AuthContext): void {
  const prototype = Object.getPrototypeOf(req) as object | null;
  let reads = prototype === null ? false : readsContexts.get(prototype);
  if (reads === undefined) reads = prepare(prototype!);
  if (reads && !Object.hasOwn(req, 'apiKey')) contexts.set(req, context);
  else req.apiKey = context;
}

// Defines the accessor on the request prototype that every Express app of this copy of Express
// shares (the one just above Node's IncomingMessage.prototype), so that it holds in mounted
// sub-apps too. Anything else (a plain object in a test, a request of another shape) keeps the
// plain assignment: nothing is ever defined on Object.prototype or on Node's own prototypes.
function prepare(prototype: object): boolean {
  let shared: object | undefined;
  for (let current: object | null = prototype; current !== null; ) {
    const parent = Object.getPrototypeOf(current) as object | null;
    if (parent !== null && Object.hasOwn(parent, '_addHeaderLines')) {
      shared = current;
      break;
    }
    current = parent;
  }
  let reads = false;
  if (shared !== undefined) {
    const existing = Object.getOwnPropertyDescriptor(shared, 'apiKey');
    if (existing === undefined) Object.defineProperty(shared, 'apiKey', accessor);
    reads = existing === undefined || existing.get === accessor.get;
  }
  readsContexts.set(prototype, reads);
  return reads;
}
