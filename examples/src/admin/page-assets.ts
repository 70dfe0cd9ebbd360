// The page's files, read once at start: the HTML and CSS as they are, the script compiled from
// TypeScript (types stripped, nothing bundled) so the page needs no build step.
import { readFile } from 'node:fs/promises';
import ts from 'typescript';

/** One file the page serves. */
export interface PageAsset {
  readonly type: string;
  readonly body: string;
}

/** The page's files by URL path. */
export type AdminPageAssets = ReadonlyMap<string, PageAsset>;

const PAGE_DIRECTORY = new URL('./page/', import.meta.url);

/**
 * Reads and compiles the page's files.
 *
 * @example
 * ```ts
 * const assets = await loadAdminPageAssets();
 * assets.get('/')?.type; // 'text/html; charset=utf-8'
 * ```
 */
export async function loadAdminPageAssets(): Promise<AdminPageAssets> {
  const [html, css, script] = await Promise.all(
    ['index.html', 'admin.css', 'admin-page.ts'].map((name) =>
      readFile(new URL(name, PAGE_DIRECTORY), 'utf8'),
    ),
  );
  const compiled = ts.transpileModule(script!, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    fileName: 'admin-page.ts',
  }).outputText;
  return new Map([
    ['/', { type: 'text/html; charset=utf-8', body: html! }],
    ['/admin/admin.css', { type: 'text/css; charset=utf-8', body: css! }],
    ['/admin/admin.js', { type: 'text/javascript; charset=utf-8', body: compiled }],
  ]);
}
