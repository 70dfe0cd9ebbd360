// The in-memory audit sink and memory store pass the audit and usage conformance suite.
import { MemoryKeyStore } from '../memory-key-store.js';
import { runAuditUsageConformance } from '../testing/audit-usage-conformance.js';
import { MemoryAuditSink } from './memory-audit-sink.js';

const store = new MemoryKeyStore();
const audit = new MemoryAuditSink();

runAuditUsageConformance({
  name: 'MemoryKeyStore and MemoryAuditSink',
  createStore: () => store,
  createAuditSink: () => audit,
});
