// `keygate serve`'s request listener as a test app of the cross-adapter suites (raw sockets, header
// fuzz): the same handler the command runs, over the suites' keygate, counting the checks it let
// through. It answers a valid key with headers, not a body: suites read the organisation from
// `x-keygate-organisation-id`.
import { createForwardAuthHandler, DEFAULT_SERVE_CONFIG, storeHealth } from '@keygate/cli';
import type { AuthOptions, Framework } from '../../http/test-apps.js';
import { listenTestApp } from '../../http/test-apps.js';

/** `keygate serve` as a framework of the suites. */
export const KEYGATE_SERVE: Framework = {
  name: 'keygate serve',
  async start(auth: AuthOptions) {
    const verifier = auth.verifier ?? auth.keygate!.verifier;
    let handled = 0;
    const handler = createForwardAuthHandler({
      verifier,
      config: DEFAULT_SERVE_CONFIG,
      health: storeHealth(verifier.options.store, verifier.options.storeTimeoutMs),
    });
    return listenTestApp(
      (request, response) => {
        response.once('finish', () => {
          if (response.statusCode === 200) handled++;
        });
        handler(request, response);
      },
      () => handled,
      [],
    );
  },
};
