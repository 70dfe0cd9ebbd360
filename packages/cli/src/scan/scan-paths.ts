// Walks the paths given to `keygate scan` (directories recursively, without .git and
// node_modules), skips binary files, and runs every text file through the key finder.
import { closeSync, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyFormat } from '@keygate/core';
import { type FoundKey, KeyFinder } from './key-finder.js';

/** A key found in a file (or `-` for standard input). */
export interface Finding extends FoundKey {
  readonly file: string;
}

/** What a scan looked at. */
export interface ScanSummary {
  readonly findings: Finding[];
  readonly filesScanned: number;
  readonly binaryFilesSkipped: number;
}

/** Directories never entered: version control data and installed dependencies. */
export const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set(['.git', 'node_modules']);

const CHUNK_BYTES = 1024 * 1024;
// As git does: a NUL byte in the first 8,000 bytes makes a file binary.
const BINARY_SNIFF_BYTES = 8000;

/**
 * Scans files and directories. A path that cannot be read rejects with its error (the command
 * reports it as a usage error); symbolic links are not followed, so a scan never leaves the tree.
 */
export function scanPaths(paths: readonly string[], format?: KeyFormat): ScanSummary {
  const summary = { findings: [] as Finding[], filesScanned: 0, binaryFilesSkipped: 0 };
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  const visit = (path: string, explicit: boolean): void => {
    const stats = lstatSync(path);
    if (stats.isDirectory()) {
      for (const entry of readdirSync(path, { withFileTypes: true })) {
        if (entry.isDirectory() && SKIPPED_DIRECTORIES.has(entry.name)) continue;
        if (entry.isDirectory() || entry.isFile()) visit(join(path, entry.name), false);
      }
    } else if (stats.isFile() || explicit) {
      const found = scanFile(path, buffer, format);
      if (found === 'binary') summary.binaryFilesSkipped++;
      else {
        summary.filesScanned++;
        for (const key of found) summary.findings.push({ file: path, ...key });
      }
    }
  };
  for (const path of paths) visit(path, true);
  return summary;
}

/** Scans text already in memory (standard input). */
export function scanText(name: string, text: Uint8Array, format?: KeyFormat): ScanSummary {
  if (isBinary(text.subarray(0, BINARY_SNIFF_BYTES))) {
    return { findings: [], filesScanned: 0, binaryFilesSkipped: 1 };
  }
  const finder = new KeyFinder(format);
  const keys = [...finder.push(text), ...finder.end()];
  return {
    findings: keys.map((key) => ({ file: name, ...key })),
    filesScanned: 1,
    binaryFilesSkipped: 0,
  };
}

function scanFile(
  path: string,
  buffer: Buffer,
  format: KeyFormat | undefined,
): FoundKey[] | 'binary' {
  const descriptor = openSync(path, 'r');
  try {
    const finder = new KeyFinder(format);
    const found: FoundKey[] = [];
    let first = true;
    for (;;) {
      const read = readSync(descriptor, buffer, 0, buffer.length, null);
      if (read === 0) break;
      const chunk = buffer.subarray(0, read);
      if (first && isBinary(chunk.subarray(0, BINARY_SNIFF_BYTES))) return 'binary';
      first = false;
      found.push(...finder.push(chunk));
    }
    found.push(...finder.end());
    return found;
  } finally {
    closeSync(descriptor);
  }
}

function isBinary(head: Uint8Array): boolean {
  return head.indexOf(0) !== -1;
}
