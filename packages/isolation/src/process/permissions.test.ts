import { describe, expect, it } from 'vitest';
import { permissionArgs, permissionFlag } from './permissions.js';

describe('permission flags', () => {
  it('spells the permission model as the Node version does', () => {
    expect(permissionFlag('20.20.2')).toBe('--experimental-permission');
    expect(permissionFlag('22.12.0')).toBe('--permission');
  });

  it('gives one flag per path, without duplicates', () => {
    expect(permissionArgs(['/a', '/b', '/a'], ['/tmp/spill'], '20.20.2')).toEqual([
      '--experimental-permission', '--allow-fs-read=/a', '--allow-fs-read=/b', '--allow-fs-write=/tmp/spill',
    ]);
  });
});
