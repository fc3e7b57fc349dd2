import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeStateDir, startTestData, type TestData } from './data-helpers';

let data: TestData;
beforeAll(async () => {
  data = await startTestData();
});
afterAll(async () => {
  await data.stop();
  removeStateDir(data);
});

describe('smoke', () => {
  it('puts and gets', async () => {
    const db = data.deta.Base('smoke');
    expect(await db.put({ name: 'alex', age: 77 }, 'one')).toEqual({ name: 'alex', age: 77, key: 'one' });
    expect(await db.get('one')).toEqual({ name: 'alex', age: 77, key: 'one' });
    expect(await db.get('nope')).toBeNull();
    expect(await db.fetch()).toEqual({ count: 1, items: [{ name: 'alex', age: 77, key: 'one' }] });
  });
});
