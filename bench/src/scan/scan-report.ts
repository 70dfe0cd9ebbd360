// The scan section of the bench report, and its target: `keygate scan` reads at least 100 MB of
// text a second on one core (fast enough for a pre-commit hook on any commit).
import type { TargetCheck } from '../results.js';
import type { Spread } from '../statistics.js';
import type { ScanFigures } from './scan-bench.js';

/** The target of issue 16, in MB/s. */
export const SCAN_TARGET_MBPS = 100;

function rate(value: Spread): string {
  return `${value.median.toFixed(0)} MB/s (${value.min.toFixed(0)}–${value.max.toFixed(0)})`;
}

/** The markdown section. */
export function scanReport(scan: ScanFigures): string {
  return [
    '### keygate scan (one core)',
    '',
    '| what | per CPU second | per wall second |',
    '|---|---|---|',
    `| key finder, ${scan.megabytes.toFixed(0)} MB of source-like text in memory | ${rate(scan.finderMBps)} | ${rate(scan.finderWallMBps)} |`,
    `| scanPaths, the same text as ${scan.files} files (page cache) | ${rate(scan.treeMBps)} | ${rate(scan.treeWallMBps)} |`,
    '',
    'Per CPU second is what one core does (the process is pinned); per wall second drops when other processes share that core.',
    '',
    `Keys found: ${scan.found} of ${scan.planted} planted (near misses such as \`task_\` and \`ask_live_\` in every line).`,
  ].join('\n');
}

/** The scan target, checked against what this run measured. */
export function scanTargets(scan: ScanFigures | undefined): TargetCheck[] {
  return [
    {
      target: `keygate scan ≥ ${SCAN_TARGET_MBPS} MB/s of text on one core (files, per CPU second)`,
      measured: scan === undefined ? '—' : rate(scan.treeMBps),
      met:
        scan === undefined
          ? undefined
          : scan.treeMBps.median >= SCAN_TARGET_MBPS && scan.found === scan.planted,
    },
  ];
}
