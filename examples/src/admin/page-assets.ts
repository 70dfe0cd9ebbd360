// The page's files, read once at start: the HTML and CSS as they are, each script module compiled
// from TypeScript (types stripped, nothing bundled) so the page needs no build step.
import { readdir, readFile } from 'node:fs/promises';
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
 * Reads and compiles the page's files: `page/x.ts` is served as `/admin/x.js`, so the modules
 * import each other by their relative `./x.js` names, as the type checker reads them.
 *
 * @example
 * ```ts
 * const assets = await loadAdminPageAssets();
 * assets.get('/')?.type; // 'text/html; charset=utf-8'
 * ```
 */
export async function loadAdminPageAssets(): Promise<AdminPageAssets> {
  const read = (name: string) => readFile(new URL(name, PAGE_DIRECTORY), 'utf8');
  const scripts = (await readdir(PAGE_DIRECTORY)).filter(
    (name) => name.endsWith('.ts') && !name.endsWith('.test.ts'),
  );
  const [html, css, ...sources] = await Promise.all([
    read('index.html'),
    read('admin.css'),
    ...scripts.map(read),
  ]);
  const assets = new Map<string, PageAsset>([
    ['/', { type: 'text/html; charset=utf-8', body: html! }],
    ['/admin/admin.css', { type: 'text/css; charset=utf-8', body: css! }],
  ]);
  scripts.forEach((name, index) => {
    const compiled = ts.transpileModule(sources[index]!, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
      fileName: name,
    }).outputText;
    assets.set(`/admin/${name.replace(/\.ts$/, '.js')}`, {
      type: 'text/javascript; charset=utf-8',
      body: compiled,
    });
  });
  return assets;
}
