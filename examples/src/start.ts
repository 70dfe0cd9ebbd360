// `pnpm start`: the reference server (sites API + API Keys page) on PORT, keys in KEYGATE_STORE.

import { startReferenceServer } from './admin/reference-server.js';
import { closeOnSignal } from './demo/index.js';

try {
  const server = await startReferenceServer();
  console.log(server.banner);
  closeOnSignal(server);
} catch (error) {
  console.error(`pnpm start: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
