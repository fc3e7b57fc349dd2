import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/local/dev/logger';
import { isIgnoredChange } from '../../lib/local/dev/watcher';

function sink(isTTY: boolean): { stream: Writable & { isTTY: boolean }; text: () => string } {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        text += chunk.toString();
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => text };
}

describe('dev logger', () => {
  it('prefixes every line with its source, padded, plain when not a terminal', () => {
    const out = sink(false);
    const logger = createLogger({ stream: out.stream, sources: ['web', 'api-v2'] });
    logger.log('web', 'one\ntwo\n');
    logger.info('ready');
    expect(out.text()).toBe('web    | one\nweb    | two\ndev    | ready\n');
  });

  it('colors the prefixes on a terminal', () => {
    const out = sink(true);
    const noColor = process.env.NO_COLOR;
    delete process.env.NO_COLOR;
    try {
      createLogger({ stream: out.stream, sources: ['web'] }).log('web', 'hi');
    } finally {
      if (noColor !== undefined) process.env.NO_COLOR = noColor;
    }
    // eslint-disable-next-line no-control-regex -- the ANSI colour codes under test
    expect(out.text()).toMatch(/^\x1b\[\d+mweb \|\x1b\[0m hi\n$/);
  });
});

describe('source watching', () => {
  it('ignores dependency, VCS and cache churn', () => {
    expect(isIgnoredChange('node_modules/x/index.js')).toBe(true);
    expect(isIgnoredChange('pkg/__pycache__/m.pyc')).toBe(true);
    expect(isIgnoredChange('.git/index')).toBe(true);
    expect(isIgnoredChange('src/server.js')).toBe(false);
  });
});
