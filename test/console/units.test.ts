/**
 * The console's pieces that need no server: reading form posts (urlencoded and multipart), CSRF tokens, and App
 * Actions (a micro's declaration read as leniently as Space did, the typed payload, each card's rendering).
 */
import { describe, expect, it } from 'vitest';
import { consoleCsrfKey, csrfToken, isValidCsrfToken, rotatingCsrfKey } from '../../lib/console/access';
import { FormError, parseForm } from '../../lib/console/form';
import { actionPayload, parseDeclaration, renderOutput } from '../../lib/console/pages/app-actions';
import { FieldError } from '../../lib/console/pages/context';

function multipart(boundary: string, parts: string[]): Buffer {
  return Buffer.from(parts.map((part) => `--${boundary}\r\n${part}\r\n`).join('') + `--${boundary}--\r\n`, 'latin1');
}

describe('form posts', () => {
  it('reads urlencoded fields', () => {
    const form = parseForm('application/x-www-form-urlencoded; charset=UTF-8', Buffer.from('csrf=t&name=a+b%26c'));
    expect(form.fields.get('name')).toBe('a b&c');
    expect(form.files.size).toBe(0);
  });

  it('reads multipart text fields and a file with its name and bytes, CRLF inside included', () => {
    const body = multipart('XyZ', [
      'Content-Disposition: form-data; name="drive"\r\n\r\nphotos',
      'Content-Disposition: form-data; name="file"; filename="a %22b%22.bin"\r\nContent-Type: image/png\r\n\r\n\x00\x01\r\n\xff',
    ]);
    const form = parseForm('multipart/form-data; boundary=XyZ', body);
    expect(form.fields.get('drive')).toBe('photos');
    expect(form.files.get('file')).toEqual({ fileName: 'a "b".bin', contentType: 'image/png', data: Buffer.from([0, 1, 13, 10, 255]) });
    expect(parseForm('multipart/form-data; boundary="XyZ"', body).fields.get('drive')).toBe('photos');
  });

  it('says what is wrong with a form it cannot read', () => {
    expect(() => parseForm('application/json', Buffer.from('{}'))).toThrow(FormError);
    expect(() => parseForm(undefined, Buffer.alloc(0))).toThrow("not 'nothing'");
    expect(() => parseForm('multipart/form-data', Buffer.alloc(0))).toThrow('has no boundary');
    expect(() => parseForm('multipart/form-data; boundary=b', Buffer.from('nothing'))).toThrow('has no part');
    expect(() => parseForm('multipart/form-data; boundary=b', Buffer.from('--b\r\nContent-Disposition: form-data; name="x"\r\n\r\nvalue'))).toThrow(
      'cut short',
    );
    expect(() => parseForm('multipart/form-data; boundary=b', multipart('b', ['Content-Disposition: form-data\r\n\r\nv']))).toThrow('has no name');
  });
});

describe('CSRF tokens', () => {
  const key = consoleCsrfKey('an-owner-secret-long-enough');
  it('are tied to the session and the owner secret', () => {
    const token = csrfToken(key, 'v1.100.sig');
    expect(isValidCsrfToken(key, 'v1.100.sig', token)).toBe(true);
    expect(isValidCsrfToken(key, 'v1.101.sig', token)).toBe(false);
    expect(isValidCsrfToken(consoleCsrfKey('another-owner-secret-long-enough'), 'v1.100.sig', token)).toBe(false);
    expect(isValidCsrfToken(key, 'v1.100.sig', undefined)).toBe(false);
    expect(isValidCsrfToken(key, 'v1.100.sig', token.slice(1))).toBe(false);
  });

  it("follow the owner secret's rotation, derived once per secret", () => {
    const current = rotatingCsrfKey();
    const first = current('an-owner-secret-long-enough');
    expect(first).toEqual(key);
    expect(current('an-owner-secret-long-enough')).toBe(first);
    expect(current('another-owner-secret-long-enough')).toEqual(consoleCsrfKey('another-owner-secret-long-enough'));
  });
});

describe('App Actions', () => {
  it("reads a micro's declaration as Space did: title defaults to the name, output to @deta/raw, paths get a /", () => {
    const actions = parseDeclaration(
      JSON.stringify({
        actions: [
          {
            name: 'new',
            path: 'api/new',
            input: [
              { name: 'content', type: 'string' },
              { name: 'n', type: 'number', optional: true },
              { name: 'flag', type: 'boolean' },
              { name: 'odd', type: 'date' },
              { type: 'string' },
            ],
          },
          { name: 'show', title: 'Show', path: '/show', output: '@deta/detail' },
        ],
      }),
      'web',
    );
    expect(actions).toEqual([
      {
        name: 'new',
        title: 'new',
        path: '/api/new',
        input: [
          { name: 'content', type: 'string', optional: false },
          { name: 'n', type: 'number', optional: true },
          { name: 'flag', type: 'boolean', optional: false },
          { name: 'odd', type: 'string', optional: false },
        ],
        output: '@deta/raw',
      },
      { name: 'show', title: 'Show', path: '/show', input: [], output: '@deta/detail' },
    ]);
  });

  it('names the micro and the action when a declaration is unusable', () => {
    expect(() => parseDeclaration('<html>', 'web')).toThrow("web's GET /__space/actions did not answer JSON");
    expect(() => parseDeclaration('[]', 'web')).toThrow('has no "actions" list');
    expect(() => parseDeclaration('{"actions": [{"name": "a", "path": "/a"}, {"name": "b"}]}', 'web')).toThrow(
      'web\'s action #2 needs a "name" and a "path"',
    );
  });

  it('posts strings as typed, numbers as numbers, booleans from their checkbox, and leaves out empty optional inputs', () => {
    const [action] = parseDeclaration(
      JSON.stringify({
        actions: [
          {
            name: 'a',
            path: '/a',
            input: [
              { name: 's', type: 'string' },
              { name: 'n', type: 'number', optional: true },
              { name: 'b', type: 'boolean' },
              { name: 'o', optional: true },
            ],
          },
        ],
      }),
      'web',
    );
    expect(actionPayload(action!, new URLSearchParams({ 'input.s': ' x ', 'input.n': '-2.5', 'input.b': 'true' }))).toEqual({
      s: ' x ',
      n: -2.5,
      b: true,
    });
    expect(actionPayload(action!, new URLSearchParams({ 'input.s': 'x', 'input.n': '' }))).toEqual({ s: 'x', b: false });
    expect(() => actionPayload(action!, new URLSearchParams({ 'input.n': '1' }))).toThrow(FieldError);
    expect(() => actionPayload(action!, new URLSearchParams({ 'input.s': 'x', 'input.n': '1e999' }))).toThrow("'n' must be a number");
  });

  it('renders each card, escaped, with only http(s) links', () => {
    expect(renderOutput('@deta/detail', { title: '<T>', text: 'body', url: 'https://example.com/a?b=1&c', image_url: 'javascript:alert(1)' })).toBe(
      '<h3>&#60;T&#62;</h3><p>body</p><p><a href="https://example.com/a?b=1&#38;c" rel="noreferrer noopener">Open</a></p>',
    );
    expect(renderOutput('@deta/list', { title: 'L', items: [{ title: 'one', url: 'data:text/html,x', description: 'd' }, 'two'] })).toBe(
      '<h3>L</h3><ul><li>one <span class="muted">d</span></li><li><pre>two</pre></li></ul>',
    );
    expect(renderOutput('@deta/file', { name: 'f.png', url: 'http://x.example/f.png' })).toBe(
      '<p><a href="http://x.example/f.png" rel="noreferrer noopener">f.png</a></p>',
    );
    expect(renderOutput('@deta/raw', { a: '<b>' })).toBe('<pre>{\n  &#34;a&#34;: &#34;&#60;b&#62;&#34;\n}</pre>');
    expect(renderOutput('@deta/detail', 'just text')).toBe('<pre>just text</pre>');
    expect(renderOutput('my-card', [1])).toBe('<pre>[\n  1\n]</pre>');
  });
});
