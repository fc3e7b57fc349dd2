/** Which micro receives a path, and the path it sees: one rule for the cloud's route keys and the local router. */
import { describe, expect, it } from 'vitest';
import { isUnder } from '../../lib/core/paths';
import { matchRoute, routeKeys, stripBasePath } from '../../lib/routing/routes';

const primary = { name: 'web', path: '/' };
const api = { name: 'api', path: '/api' };
const apiAdmin = { name: 'admin', path: '/api/admin' };
const app = { primary, micros: [primary, api, apiAdmin] };

function receiver(path: string): string {
  const match = matchRoute(app, path);
  return match.kind === 'micro' ? match.micro.name : 'runtime';
}

describe('isUnder', () => {
  it('holds for the prefix itself and the paths below it, never for a longer name', () => {
    expect(isUnder('/api', '/api')).toBe(true);
    expect(isUnder('/api/', '/api')).toBe(true);
    expect(isUnder('/api/items', '/api')).toBe(true);
    expect(isUnder('/apix', '/api')).toBe(false);
    expect(isUnder('/ap', '/api')).toBe(false);
    expect(isUnder('/', '/api')).toBe(false);
  });
});

describe('matchRoute', () => {
  it('sends a micro its path and everything below it, the primary the rest', () => {
    expect(receiver('/')).toBe('web');
    expect(receiver('/about')).toBe('web');
    expect(receiver('/api')).toBe('api');
    expect(receiver('/api/items/1')).toBe('api');
    expect(receiver('/apiary')).toBe('web');
  });

  it('lets the longest micro path win, whatever the order micros are declared in', () => {
    expect(receiver('/api/admin')).toBe('admin');
    expect(receiver('/api/admin/users')).toBe('admin');
    expect(receiver('/api/administrator')).toBe('api');
    const reversed = { primary, micros: [apiAdmin, api, primary] };
    const match = matchRoute(reversed, '/api/admin/users');
    expect(match.kind === 'micro' && match.micro.name).toBe('admin');
    const shorterLast = matchRoute(reversed, '/api/items');
    expect(shorterLast.kind === 'micro' && shorterLast.micro.name).toBe('api');
  });

  it('gives paths under /__space to the runtime, never to a micro', () => {
    expect(receiver('/__space')).toBe('runtime');
    expect(receiver('/__space/v0/actions')).toBe('runtime');
    expect(receiver('/__spacex')).toBe('web');
  });

  it('never lets a second micro at / take paths from the primary', () => {
    const other = { name: 'other', path: '/' };
    for (const path of ['/', '/anything', '//x']) {
      for (const micros of [
        [other, primary],
        [primary, other],
      ]) {
        const match = matchRoute({ primary, micros }, path);
        expect(match.kind === 'micro' && match.micro.name, path).toBe('web');
      }
    }
  });
});

describe('routeKeys', () => {
  it('routes the primary everything and a micro its path and what lies below', () => {
    expect(routeKeys(primary)).toEqual(['ANY /', 'ANY /{proxy+}']);
    expect(routeKeys(api)).toEqual(['ANY /api', 'ANY /api/{proxy+}']);
  });
});

describe('stripBasePath', () => {
  it('removes the micro path so the app sees paths from its own root', () => {
    expect(stripBasePath('/api/items', '/api')).toBe('/items');
    expect(stripBasePath('/api', '/api')).toBe('/');
    expect(stripBasePath('/api/', '/api')).toBe('/');
  });

  it('leaves a path alone at the root, without a base path, or outside the base path', () => {
    expect(stripBasePath('/items', '/')).toBe('/items');
    expect(stripBasePath('/items', '')).toBe('/items');
    expect(stripBasePath('/apiary', '/api')).toBe('/apiary');
    expect(stripBasePath('//x', '/')).toBe('//x');
    expect(stripBasePath('//x', '')).toBe('//x');
  });
});
