// The one scope checker: syntax, wildcards (`resource:*`, `*`), and properties that must hold for
// every scope (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grantsScope, hasScope, isRequirableScope, isScope, missingScopeError } from './scopes.js';

const segment = fc.stringMatching(/^[A-Za-z0-9._/-]{1,8}$/);
const concrete = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(':'));

describe('isScope', () => {
  it.each(['sites:read', 'sites:*', '*', 'a', 'billing/invoices:read', 'v1.sites:write-all'])(
    'takes %s',
    (scope) => expect(isScope(scope)).toBe(true),
  );
  it.each([
    '',
    'has space',
    'si*es',
    '*:read',
    'sites:',
    ':read',
    'a::b',
    'sites:*:x',
    'x'.repeat(101),
    'é',
  ])('refuses %j', (scope) => expect(isScope(scope)).toBe(false));
  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 1, ['a'], {}]) expect(isScope(value)).toBe(false);
  });
  it('lets a route require concrete scopes only', () => {
    expect(isRequirableScope('sites:write')).toBe(true);
    expect(isRequirableScope('sites:*')).toBe(false);
    expect(isRequirableScope('*')).toBe(false);
  });
});

describe('grantsScope', () => {
  it.each([
    ['sites:read', 'sites:read', true],
    ['sites:read', 'sites:write', false],
    ['sites:*', 'sites:write', true],
    ['sites:*', 'sites:reports:read', true],
    ['sites:*', 'sites', false],
    ['sites:*', 'sitesx:read', false],
    ['sites:*', 'billing:read', false],
    ['*', 'billing:read', true],
    ['sites', 'sites:read', false],
  ] as const)('%s grants %s: %s', (granted, required, expected) => {
    expect(grantsScope(granted, required)).toBe(expected);
  });

  it('every scope grants itself, and * grants every scope', () => {
    fc.assert(
      fc.property(concrete, (scope) => grantsScope(scope, scope) && grantsScope('*', scope)),
    );
  });

  it('resource:* grants exactly the scopes under resource:', () => {
    fc.assert(
      fc.property(segment, concrete, (resource, required) => {
        const expected = required.startsWith(`${resource}:`);
        return grantsScope(`${resource}:*`, required) === expected;
      }),
    );
  });

  it('a scope without a wildcard grants only itself', () => {
    fc.assert(
      fc.property(
        concrete,
        concrete,
        (granted, required) => grantsScope(granted, required) === (granted === required),
      ),
    );
  });

  it('adding scopes to a key never takes a permission away', () => {
    fc.assert(
      fc.property(
        fc.array(concrete),
        fc.array(concrete),
        concrete,
        (some, more, required) =>
          !hasScope(some, required) || hasScope([...some, ...more], required),
      ),
    );
  });
});

describe('missingScopeError', () => {
  it('answers undefined when every required scope is granted, wildcards included', () => {
    expect(
      missingScopeError({ scopes: ['sites:*'] }, ['sites:read', 'sites:write']),
    ).toBeUndefined();
    expect(missingScopeError({ scopes: ['*'] }, ['billing:read'])).toBeUndefined();
  });
  it('names exactly the missing scopes', () => {
    const error = missingScopeError({ scopes: ['sites:read'] }, ['sites:read', 'sites:write', 'x']);
    expect(error).toMatchObject({
      code: 'insufficient_scope',
      missingScopes: ['sites:write', 'x'],
    });
  });
});
