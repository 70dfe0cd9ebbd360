// The names of the core figures that the report and the target checks look up.

/** The default cache (10,000 entries) answering a busy set of 1,000 keys: what servers see. */
export const HOT_HIT = 'cache hit, 1k busy keys, default cache';
/** A cache that holds every key, visited uniformly: a lookup among all of them. */
export const ALL_CACHED_HIT = 'cache hit, every key cached, uniform';
/** The same through the portable @noble/hashes digest. */
export const NOBLE_HIT = 'cache hit, every key cached, noble';
