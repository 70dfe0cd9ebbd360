import { MemoryKeyStore } from './memory-key-store.js';
import { runKeyStoreConformance } from './testing/conformance.js';

const shared = new MemoryKeyStore();
// One instance is its own peer: a memory store is one process's data.
runKeyStoreConformance({
  name: 'MemoryKeyStore',
  createStore: () => shared,
  createPeer: (store) => store,
});
