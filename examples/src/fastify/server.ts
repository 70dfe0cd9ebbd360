// Runs the sites API on Fastify: PORT (default 3000), a memory store, a demo key printed once.
import { closeOnSignal, runDemoServer } from '../demo/index.js';
import { startFastify } from './start-fastify.js';

closeOnSignal(await runDemoServer({ framework: 'Fastify', start: startFastify }));
