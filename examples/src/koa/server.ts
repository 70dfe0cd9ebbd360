// Runs the sites API on Koa: PORT (default 3000), a memory store, a demo key printed once.
import { closeOnSignal, runDemoServer } from '../demo/index.js';
import { startKoa } from './start-koa.js';

closeOnSignal(await runDemoServer({ framework: 'Koa', start: startKoa }));
