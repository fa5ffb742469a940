import { describe, expect, it } from 'vitest';
import { connectionUrl } from './options.js';

describe('connectionUrl', () => {
  it('puts a separately given password into the url, encoded, replacing one already there', () => {
    expect(connectionUrl('postgres://app@db.example:5432/orders', 'p@ss:/w rd')).toBe('postgres://app:p%40ss%3A%2Fw%20rd@db.example:5432/orders');
    expect(new URL(connectionUrl('postgres://app:old@db.example/orders', 'new')).password).toBe('new');
  });

  it('leaves the url as it is without a password', () => {
    expect(connectionUrl('postgres://app:kept@db.example/orders', undefined)).toBe('postgres://app:kept@db.example/orders');
  });
});
