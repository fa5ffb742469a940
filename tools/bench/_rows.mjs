// The rows the chunk and isolation suites move: int32 id, epoch-ms timestamp, ~12-char string, float64.
import { Schema } from '@flowengine/sdk';

export const rowSchema = Schema.of([
  { name: 'id', type: 'int32', nullable: false },
  { name: 'at', type: 'timestamp', unit: 'ms', nullable: false },
  { name: 'name', type: 'string', nullable: false },
  { name: 'amount', type: 'float64', nullable: false },
]);

/** `count` distinct names (`user-0007919`...), made before any clock starts: the suites time building, not formatting. */
export function userNames(count) {
  return Array.from({ length: count }, (_, i) => `user-${String(i * 7919 % 1_000_000).padStart(7, '0')}`);
}
