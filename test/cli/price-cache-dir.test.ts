import { describe, expect, it } from 'vitest';
import { priceCacheDir } from '../../src/cli/commands/plan.js';

describe('priceCacheDir: Price List answers are cached for the user, never in the working tree', () => {
  it('uses $XDG_CACHE_HOME, else ~/.cache, whatever the working directory', () => {
    expect(priceCacheDir({ XDG_CACHE_HOME: '/var/cache/u', HOME: '/home/u' })).toBe('/var/cache/u/meshgov');
    expect(priceCacheDir({ HOME: '/home/u' })).toBe('/home/u/.cache/meshgov');
  });

  it('ignores a relative XDG_CACHE_HOME (the spec says so) and a relative HOME: they would be the checkout', () => {
    expect(priceCacheDir({ XDG_CACHE_HOME: '.meshgov/cache', HOME: '/home/u' })).toBe('/home/u/.cache/meshgov');
    expect(priceCacheDir({ HOME: '.' })).toBeUndefined();
    expect(priceCacheDir({})).toBeUndefined();
  });

  it('keeps no cache when the home is inside the CI checkout', () => {
    expect(priceCacheDir({ HOME: '/github/workspace/home', GITHUB_WORKSPACE: '/github/workspace' })).toBeUndefined();
    expect(priceCacheDir({ HOME: '/github/home', GITHUB_WORKSPACE: '/github/workspace' })).toBe(
      '/github/home/.cache/meshgov',
    );
  });
});
