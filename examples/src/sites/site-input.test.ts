// Validation of site bodies and siteIds, without HTTP.
import { describe, expect, it } from 'vitest';
import { checkSiteInput, isUuid, parseJsonBody } from './site-input.js';
import { MemorySitesRepository } from './sites-repository.js';

describe('checkSiteInput', () => {
  it('accepts the reference example and trims the name', () => {
    expect(checkSiteInput({ siteName: ' Solar Farm Alpha ', capacity: 1000, unit: 'kW' })).toEqual({
      ok: true,
      value: { siteName: 'Solar Farm Alpha', capacity: 1000, unit: 'kW' },
    });
  });

  it.each(['W', 'kW', 'MW', 'GW'])('accepts the unit %s', (unit) => {
    expect(checkSiteInput({ siteName: 'x', capacity: 0.5, unit }).ok).toBe(true);
  });

  it.each([
    [null],
    [[]],
    ['text'],
    [{ siteName: '', capacity: 1, unit: 'W' }],
    [{ siteName: 'x'.repeat(201), capacity: 1, unit: 'W' }],
    [{ siteName: 'x', capacity: 0, unit: 'W' }],
    [{ siteName: 'x', capacity: Number.NaN, unit: 'W' }],
    [{ siteName: 'x', capacity: Number.POSITIVE_INFINITY, unit: 'W' }],
    [{ siteName: 'x', capacity: '1', unit: 'W' }],
    [{ siteName: 'x', capacity: 1, unit: 'kw' }],
    [{ siteName: 'x', capacity: 1, unit: 'toString' }],
  ])('refuses %j', (body) => {
    const checked = checkSiteInput(body);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.detail).toMatch(/\.$/);
  });

  it('accepts a 200-character name', () => {
    expect(checkSiteInput({ siteName: 'x'.repeat(200), capacity: 1, unit: 'W' }).ok).toBe(true);
  });
});

describe('parseJsonBody', () => {
  it('needs the JSON content type, with or without parameters', () => {
    expect(parseJsonBody('application/json; charset=utf-8', '{}')).toEqual({ ok: true, value: {} });
    expect(parseJsonBody('Application/JSON', '[]').ok).toBe(true);
    expect(parseJsonBody('text/plain', '{}').ok).toBe(false);
    expect(parseJsonBody(undefined, '{}').ok).toBe(false);
  });

  it('refuses broken JSON', () => {
    expect(parseJsonBody('application/json', '{').ok).toBe(false);
  });
});

describe('isUuid', () => {
  it('accepts canonical UUIDs in either case, and nothing else', () => {
    expect(isUuid('123e4567-e89b-12d3-a456-426614174000')).toBe(true);
    expect(isUuid('123E4567-E89B-12D3-A456-426614174000')).toBe(true);
    expect(isUuid('123')).toBe(false);
    expect(isUuid('123e4567e89b12d3a456426614174000')).toBe(false);
    expect(isUuid(' 123e4567-e89b-12d3-a456-426614174000')).toBe(false);
  });
});

describe('MemorySitesRepository', () => {
  const liveA = { organisationId: 'org_a', environment: 'live' };
  const testA = { organisationId: 'org_a', environment: 'test' };
  const liveB = { organisationId: 'org_b', environment: 'live' };

  it("keeps each organisation's sites apart", async () => {
    const sites = new MemorySitesRepository();
    const site = await sites.create(liveA, { siteName: 'A', capacity: 1, unit: 'W' });
    expect(await sites.list(liveA)).toEqual([site]);
    expect(await sites.list(liveB)).toEqual([]);
    expect(await sites.get(liveB, site.id)).toBeNull();
    expect(await sites.get(liveA, site.id)).toEqual(site);
  });

  it("keeps each environment's sites apart: a test key sees test sites only", async () => {
    const sites = new MemorySitesRepository();
    const live = await sites.create(liveA, { siteName: 'Live', capacity: 1, unit: 'W' });
    const test = await sites.create(testA, { siteName: 'Test', capacity: 1, unit: 'W' });
    expect(test.environment).toBe('test');
    expect(await sites.list(testA)).toEqual([test]);
    expect(await sites.list(liveA)).toEqual([live]);
    expect(await sites.get(testA, live.id)).toBeNull();
  });
});
