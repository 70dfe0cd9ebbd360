// Runs the sites API on Express: PORT (default 3000), a memory store, a demo key printed once.
import { closeOnSignal, runDemoServer } from '../demo/index.js';
import { startExpress } from './start-express.js';

closeOnSignal(await runDemoServer({ framework: 'Express', start: startExpress }));
