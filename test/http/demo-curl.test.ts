// The curl commands each example server prints on start work against it as printed: the server
// is started as users start it, and its commands are parsed and sent with fetch.
import { afterEach, describe, expect, it } from 'vitest';
import { findCurlCommands, parseCurl } from './curl-command.js';
import { send } from './http-client.js';
import { type SpawnedExample, spawnExample } from './spawn-example.js';

const KEY = /sk_live_[A-Za-z0-9_-]{48}/g;
let running: SpawnedExample | undefined;

afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe.each([
  ['Fastify', 'src/fastify/server.ts'],
  ['Express', 'src/express/server.ts'],
  ['Koa', 'src/koa/server.ts'],
])('the %s example', (_name, entry) => {
  it('prints a key and three curl commands that work as printed', async () => {
    running = await spawnExample(entry);
    const { banner } = running;
    const keys = new Set(banner.match(KEY));
    expect(keys.size).toBe(1);
    const [key] = keys;
    // The key is shown once on a line of its own, then inside the commands.
    expect(banner.split('\n').filter((line) => line.trim() === key)).toHaveLength(1);

    const commands = findCurlCommands(banner);
    expect(commands).toHaveLength(3);
    const [list, one, create] = commands.map(parseCurl);

    const sites = await send(list!.url, list!.init);
    expect(sites.status).toBe(200);
    expect(sites.json).toHaveLength(1);
    expect(sites.json[0]).toMatchObject({ organisationId: 'org_demo' });

    const site = await send(one!.url, one!.init);
    expect(site.status).toBe(200);
    expect(site.json).toEqual(sites.json[0]);

    const created = await send(create!.url, create!.init);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      siteName: 'Solar Farm Alpha',
      capacity: 1000,
      unit: 'kW',
      organisationId: 'org_demo',
    });
  });
});

describe('the gateway example', () => {
  it('prints a key and a curl command that reaches the built-in echo upstream', async () => {
    running = await spawnExample('src/gateway/server.ts', { UPSTREAM_URL: '' });
    const [command] = findCurlCommands(running.banner);
    const request = parseCurl(command!);
    const answer = await send(request.url, request.init);
    expect(answer.status).toBe(200);
    expect(answer.json.url).toBe('/api/sites');
    expect(answer.json.headers['x-organisation-id']).toBe('org_demo');
    expect(answer.json.headers['x-api-key-id']).toEqual(expect.any(String));
    expect(answer.json.headers['x-api-key']).toBeUndefined();
  });
});
