// The reference page's three curl commands, filled in with a running server's URL and a real key.

/** One runnable command, with the comment that titles it. */
export interface CurlCommand {
  readonly title: string;
  readonly command: string;
}

/**
 * The commands: list sites, get one site, create a site. URLs are quoted so that shells with
 * globbing (zsh) leave the `?` alone.
 *
 * @example
 * ```ts
 * for (const { title, command } of demoCurlCommands('http://127.0.0.1:3000', key, siteId)) {
 *   console.log(`# ${title}\n${command}`);
 * }
 * ```
 */
export function demoCurlCommands(
  baseUrl: string,
  key: string,
  siteId: string,
  headerName = 'x-api-key',
): readonly CurlCommand[] {
  const sites = `${baseUrl}/api/sites`;
  const keyHeader = `-H "${headerName}: ${key}"`;
  return [
    { title: 'Get all sites', command: `curl ${keyHeader} \\\n  "${sites}"` },
    {
      title: 'Get a specific site',
      command: `curl ${keyHeader} \\\n  "${sites}?siteId=${siteId}"`,
    },
    {
      title: 'Create a new site',
      command: [
        'curl -X POST \\',
        `  ${keyHeader} \\`,
        '  -H "Content-Type: application/json" \\',
        `  -d '{"siteName": "Solar Farm Alpha", "capacity": 1000, "unit": "kW"}' \\`,
        `  "${sites}"`,
      ].join('\n'),
    },
  ];
}
