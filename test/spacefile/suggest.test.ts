import { describe, expect, it } from 'vitest';
import { editDistance, nearest } from '../../lib/spacefile/suggest';

describe('suggestions for misspellings', () => {
  it('counts insertions, deletions, substitutions and swaps as one edit each', () => {
    expect(editDistance('engine', 'engine')).toBe(0);
    expect(editDistance('engin', 'engine')).toBe(1);
    expect(editDistance('primray', 'primary')).toBe(1);
    expect(editDistance('app-name', 'app_name')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the closest known word only when it is a plausible typo', () => {
    const keys = ['name', 'src', 'engine', 'public', 'public_routes'];
    expect(nearest('Engine', keys)).toBe('engine');
    expect(nearest('public_route', keys)).toBe('public_routes');
    expect(nearest('pubic', keys)).toBe('public');
    expect(nearest('colour', keys)).toBeUndefined();
  });
});
