import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_EVENT_SOURCE } from '../../lib/core/action-event';
import { APP_ACTION_EVENT_SOURCE } from '../../lib/core/app-action-event';
import { BODY_LIMIT_BYTES } from '../../lib/core/limits';
import { ACTIONS_PATH, RESERVED_PREFIX } from '../../lib/core/paths';
import { adapterLayerDir } from '../../lib/layer-dir';

describe('the Python adapter', () => {
  it('reads the values lib/core states, through the constants module the build generates', () => {
    const script =
      'import json, sys; sys.path.insert(0, sys.argv[1]); from spaceport_adapter import constants as c; ' +
      'print(json.dumps([c.BODY_LIMIT_BYTES, c.RESERVED_PREFIX, c.ACTIONS_PATH, c.ACTION_EVENT_SOURCE, c.APP_ACTION_EVENT_SOURCE]))';
    const output = execFileSync('python3', ['-c', script, join(adapterLayerDir(), 'python')], { encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual([BODY_LIMIT_BYTES, RESERVED_PREFIX, ACTIONS_PATH, ACTION_EVENT_SOURCE, APP_ACTION_EVENT_SOURCE]);
  });
});
