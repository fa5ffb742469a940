import { chunkFromRows, Schema, type FieldInput } from '@flowengine/sdk';
import { describe, expect, it } from 'vitest';
import { BINARY_HEADER, BINARY_TRAILER, encodeBinaryRows, WIRE, type Wire } from './binary-encoder.js';

/** The bytes of one single-field row holding `value`, as hex: field count, then the field. */
function oneField(field: Omit<FieldInput, 'name'>, wire: Wire, value: unknown): string {
  const chunk = chunkFromRows(Schema.of([{ name: 'x', ...field }]), [[value]]);
  return encodeBinaryRows(chunk, [wire]).data.toString('hex');
}

const ROW = '0001';
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);

describe('COPY binary: encodeBinaryRows', () => {
  it('starts and ends a COPY with the signature, zero flags and extension, and -1', () => {
    expect(BINARY_HEADER.toString('latin1')).toBe('PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0');
    expect(BINARY_TRAILER.toString('hex')).toBe('ffff');
  });

  it('writes each type as its receive function reads it, big-endian, with the length first', () => {
    expect(oneField({ type: 'int32' }, WIRE.int4FromInt32, -2)).toBe(`${ROW}00000004fffffffe`);
    expect(oneField({ type: 'int32' }, WIRE.int8FromInt32, -2)).toBe(`${ROW}00000008fffffffffffffffe`);
    expect(oneField({ type: 'int32' }, WIRE.int8FromInt32, 2 ** 31 - 1)).toBe(`${ROW}00000008000000007fffffff`);
    expect(oneField({ type: 'int32' }, WIRE.float4FromInt32, 2 ** 24 + 1)).toBe(`${ROW}000000044b800000`); // rounds to even, 2^24
    expect(oneField({ type: 'int32' }, WIRE.float8FromInt32, 1)).toBe(`${ROW}000000083ff0000000000000`);
    expect(oneField({ type: 'int64' }, WIRE.int8FromInt64, -(2n ** 63n))).toBe(`${ROW}000000088000000000000000`);
    expect(oneField({ type: 'int64' }, WIRE.int8FromInt64, 0x0102030405060708n)).toBe(`${ROW}000000080102030405060708`);
    expect(oneField({ type: 'int64' }, WIRE.float8FromInt64, 2n ** 63n - 1n)).toBe(`${ROW}0000000843e0000000000000`); // 2^63
    expect(oneField({ type: 'float64' }, WIRE.float8FromFloat64, -0)).toBe(`${ROW}000000088000000000000000`);
    expect(oneField({ type: 'float64' }, WIRE.float8FromFloat64, 5e-324)).toBe(`${ROW}000000080000000000000001`);
    expect(oneField({ type: 'float64' }, WIRE.float8FromFloat64, -Infinity)).toBe(`${ROW}00000008fff0000000000000`);
    expect(oneField({ type: 'bool' }, WIRE.bool, true)).toBe(`${ROW}0000000101`);
    expect(oneField({ type: 'bool' }, WIRE.bool, false)).toBe(`${ROW}0000000100`);
    expect(oneField({ type: 'string' }, WIRE.text, 'ü\t')).toBe(`${ROW}00000003c3bc09`); // raw UTF-8, nothing escaped
    expect(oneField({ type: 'string' }, WIRE.text, '')).toBe(`${ROW}00000000`);
    expect(oneField({ type: 'string' }, WIRE.text, 'x'.repeat(40))).toBe(`${ROW}00000028${'78'.repeat(40)}`);
  });

  it('writes timestamps as µs and dates as days since 2000-01-01, flooring before it, in every unit', () => {
    const micros = (n: bigint): string => `${ROW}00000008${BigInt.asUintN(64, n).toString(16).padStart(16, '0')}`;
    expect(oneField({ type: 'timestamp', unit: 'ms' }, WIRE.timestampFromTimestamp, PG_EPOCH_MS + 1)).toBe(micros(1000n));
    expect(oneField({ type: 'timestamp', unit: 's' }, WIRE.timestampFromTimestamp, PG_EPOCH_MS / 1000 - 1)).toBe(micros(-1_000_000n));
    expect(oneField({ type: 'timestamp', unit: 'ns' }, WIRE.timestampFromTimestamp, 1999)).toBe(micros(1n - BigInt(PG_EPOCH_MS) * 1000n));
    expect(oneField({ type: 'timestamp', unit: 'ns' }, WIRE.timestampFromTimestamp, BigInt(PG_EPOCH_MS) * 1_000_000n - 1n)).toBe(micros(-1n));
    expect(oneField({ type: 'timestamp', unit: 'ns' }, WIRE.timestampFromTimestamp, BigInt(PG_EPOCH_MS) * 1_000_000n - 1001n)).toBe(micros(-2n));
    // Past 2^53 µs since 1970 (the bigint path): 2^60 µs.
    expect(oneField({ type: 'timestamp', unit: 'us' }, WIRE.timestampFromTimestamp, 2n ** 60n)).toBe(micros(2n ** 60n - BigInt(PG_EPOCH_MS) * 1000n));
    expect(oneField({ type: 'timestamp', unit: 'ms' }, WIRE.dateFromTimestamp, PG_EPOCH_MS - 1)).toBe(`${ROW}00000004ffffffff`);
    expect(oneField({ type: 'timestamp', unit: 'ms' }, WIRE.dateFromTimestamp, PG_EPOCH_MS + 86_400_000 * 2)).toBe(`${ROW}0000000400000002`);
    expect(oneField({ type: 'timestamp', unit: 'ns' }, WIRE.dateFromTimestamp, -(2n ** 63n))).toBe(`${ROW}00000004fffe3433`); // 1677-09-21
  });

  it('sends a timestamp past int64 µs as a finite out-of-range value, never as ±infinity', () => {
    const outOfRange = `${ROW}000000087ffffffffffffffe`;
    expect(oneField({ type: 'timestamp', unit: 's' }, WIRE.timestampFromTimestamp, 2n ** 62n)).toBe(outOfRange);
    expect(oneField({ type: 'timestamp', unit: 's' }, WIRE.timestampFromTimestamp, -(2n ** 62n))).toBe(outOfRange);
  });

  it('writes nulls as length -1 with no payload, and rowEnds past each row', () => {
    const schema = Schema.of([{ name: 'i', type: 'int32' }, { name: 's', type: 'string' }, { name: 'b', type: 'bool' }]);
    const chunk = chunkFromRows(schema, [[null, 'ab', null], [7, null, true], [null, null, null]]);
    const { data, rowEnds } = encodeBinaryRows(chunk, [WIRE.int4FromInt32, WIRE.text, WIRE.bool]);
    expect(data.toString('hex')).toBe(
      '0003' + 'ffffffff' + '000000026162' + 'ffffffff'
      + '0003' + '0000000400000007' + 'ffffffff' + '0000000101'
      + '0003' + 'ffffffff'.repeat(3));
    expect(Array.from(rowEnds)).toEqual([16, 35, 49]);
  });

  it('encodes an empty chunk as nothing', () => {
    const chunk = chunkFromRows(Schema.of([{ name: 'i', type: 'int32' }]), []);
    expect(encodeBinaryRows(chunk, [WIRE.int4FromInt32])).toMatchObject({ data: Buffer.alloc(0), rowEnds: new Int32Array(0) });
  });
});
