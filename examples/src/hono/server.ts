// Runs the sites API on Hono (@hono/node-server): PORT (default 3000), a memory store, a demo key
// printed once.
import { closeOnSignal, runDemoServer } from '../demo/index.js';
import { startHono } from './start-hono.js';

closeOnSignal(await runDemoServer({ framework: 'Hono', start: startHono }));
