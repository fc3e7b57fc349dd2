/** The access policy the constructs hand to the authorizer: built from the Spacefile model, read back with errors that say what is wrong. */
import { describe, expect, it } from 'vitest';
import { accessPolicyOf, parseAccessPolicy } from '../../lib/auth/policy';
import { app, micro } from '../dev/model-helpers';

describe('accessPolicyOf', () => {
  it('keeps what auth needs of each micro, the primary included', () => {
    const model = app([
      micro({ name: 'web', path: '/', primary: true, publicRoutes: ['/public/*'] }),
      micro({ name: 'api', path: '/api', apiKeys: true }),
    ]);
    const policy = accessPolicyOf(model);
    expect(policy.primary).toEqual({ name: 'web', path: '/', apiKeys: false, publicRoutes: ['/public/*'] });
    expect(policy.micros.map((m) => m.name)).toEqual(['web', 'api']);
    expect(policy.micros[1]).toEqual({ name: 'api', path: '/api', apiKeys: true, publicRoutes: [] });
  });

  it('refuses a model whose primary is not among its micros', () => {
    const model = app([micro({ name: 'web', path: '/' })]);
    expect(() => accessPolicyOf({ ...model, primary: micro({ name: 'ghost', path: '/' }) })).toThrow(
      "the primary micro 'ghost' is not among the app's micros",
    );
  });
});

describe('parseAccessPolicy', () => {
  const web = { name: 'web', path: '/', apiKeys: false, publicRoutes: ['/about'] };
  const api = { name: 'api', path: '/api', apiKeys: true, publicRoutes: [] };

  it('reads back what accessPolicyOf serialised', () => {
    const policy = parseAccessPolicy(JSON.stringify({ primary: web, micros: [api, web] }));
    expect(policy).toEqual({ primary: web, micros: [api, web] });
  });

  it('says when the policy is not JSON', () => {
    expect(() => parseAccessPolicy('{')).toThrow('the access policy is not valid JSON');
  });

  const SHAPE = 'the access policy must be {"primary": micro, "micros": [micro...]} with name, path, apiKeys, publicRoutes';
  it.each([
    ['null', null],
    ['a string', 'web'],
    ['no micros', { primary: web }],
    ['micros not a list', { primary: web, micros: web }],
    ['a null micro', { primary: web, micros: [web, null] }],
    ['a micro without a name', { primary: web, micros: [web, { ...api, name: 7 }] }],
    ['a micro without a path', { primary: web, micros: [web, { ...api, path: undefined }] }],
    ['a relative path', { primary: web, micros: [web, { ...api, path: 'api' }] }],
    ['apiKeys not a boolean', { primary: web, micros: [web, { ...api, apiKeys: 'yes' }] }],
    ['publicRoutes not a list', { primary: web, micros: [web, { ...api, publicRoutes: '/*' }] }],
    ['a public route not a string', { primary: web, micros: [web, { ...api, publicRoutes: ['/a', 1] }] }],
  ])('refuses %s, naming the shape it expects', (_, value) => {
    expect(() => parseAccessPolicy(JSON.stringify(value))).toThrow(SHAPE);
  });

  it.each([
    ['no primary', { micros: [web] }],
    ['a primary not among the micros', { primary: { ...web, name: 'ghost' }, micros: [web] }],
    ['a primary away from /', { primary: api, micros: [web, api] }],
  ])('refuses %s', (_, value) => {
    expect(() => parseAccessPolicy(JSON.stringify(value))).toThrow("the access policy's primary must be one of its micros, at path '/'");
  });
});
