// Demo seeding shared by every example server.

export { type CurlCommand, demoCurlCommands } from './curl-commands.js';
export { listenHttp } from './listen-http.js';
export { type ExampleOrganisation, MemoryOrganisations } from './organisations.js';
export {
  closeOnSignal,
  type DemoServer,
  type DemoServerOptions,
  portFromEnvironment,
  runDemoServer,
  type StartedServer,
  type StartFramework,
  serverUrl,
} from './run-demo-server.js';
export { DEMO_ORGANISATION_ID, type DemoSeed, seedDemo } from './seed-demo.js';
