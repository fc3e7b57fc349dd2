import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, RECENT_LINES } from '../../lib/local/dev/logger';
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

  it("keeps the most recent lines, oldest first, bounded, for the console's logs page", () => {
    const logger = createLogger({ stream: sink(false).stream, sources: ['web', 'api'] });
    logger.log('web', 'first\nsecond');
    logger.info('ready');
    expect(logger.recent(10).map((line) => `${line.source}:${line.message}`)).toEqual(['web:first', 'web:second', 'dev:ready']);
    expect(logger.recent(10, 'web').map((line) => line.message)).toEqual(['first', 'second']);
    expect(logger.recent(1).map((line) => line.message)).toEqual(['ready']);
    for (let n = 0; n < RECENT_LINES + 5; n++) logger.log('api', `line ${n}`);
    const kept = logger.recent(RECENT_LINES * 2);
    expect(kept).toHaveLength(RECENT_LINES);
    expect(kept[0]!.message).toBe('line 5');
    expect(kept.at(-1)!.message).toBe(`line ${RECENT_LINES + 4}`);
    expect(kept[0]!.at).toBeInstanceOf(Date);
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
