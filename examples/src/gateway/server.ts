// Runs the gateway: PORT (default 3000) in front of UPSTREAM_URL (default: a built-in echo
// server), a memory store, and a demo key printed once with a curl command filled in.
import { createKeygate, MemoryKeyStore } from '@keygate/core';
import {
  closeOnSignal,
  listenHttp,
  MemoryOrganisations,
  portFromEnvironment,
  type StartedServer,
} from '../demo/index.js';
import { echoUpstream } from './echo-upstream.js';
import { createGateway, createGatewayServer } from './gateway.js';

const host = process.env.HOST ?? '127.0.0.1';
let echo: StartedServer | undefined;
let upstreamUrl = process.env.UPSTREAM_URL;
if (upstreamUrl === undefined || upstreamUrl === '') {
  echo = await listenHttp(echoUpstream, '127.0.0.1', 0);
  upstreamUrl = echo.url;
}

const organisations = new MemoryOrganisations();
organisations.add({ id: 'org_demo', name: 'Demo Organisation', active: true });
const keygate = createKeygate({
  store: new MemoryKeyStore(),
  resolveOrganisation: organisations.resolve,
});
const gateway = await listenHttp(
  createGatewayServer(createGateway({ keygate, upstreamUrl })),
  host,
  portFromEnvironment(),
);
const { key } = await keygate.keys.create({ organisationId: 'org_demo', name: 'Demo key' });

console.log(
  [
    `keygate gateway listening on ${gateway.url}, forwarding to ${upstreamUrl}${echo ? ' (built-in echo server)' : ''}`,
    '',
    'Demo API key for Demo Organisation (org_demo). It is shown only this once: copy it now.',
    '',
    `  ${key}`,
    '',
    'Try it (the upstream gets x-organisation-id and x-api-key-id, never the key):',
    '',
    `curl -H "x-api-key: ${key}" \\\n  "${gateway.url}/api/sites"`,
    '',
    'Press Ctrl+C to stop.',
  ].join('\n'),
);

closeOnSignal({
  url: gateway.url,
  close: async () => {
    await gateway.close();
    await echo?.close();
    await keygate.close();
  },
});
