import type { TimeUnit } from '@flowengine/sdk';

// Facts of Postgres' wire formats that the COPY encoders and decoders (text and binary, source and
// sink) share: written once here, next to the type OIDs in types.ts.

/** The 11-byte signature that opens every binary COPY: `PGCOPY\n\377\r\n\0`. */
export const BINARY_COPY_SIGNATURE: Buffer = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Signature, int32 flags and int32 header-extension length. */
export const BINARY_COPY_HEADER_BYTES = 19;

/** 2000-01-01 00:00:00 UTC, Postgres' epoch for timestamp and date, in µs and in days since 1970. */
export const PG_EPOCH_MICROS = 946_684_800_000_000;
export const PG_EPOCH_DAYS = 10_957;
export const MICROS_PER_DAY = 86_400_000_000;
/** Multiplying a timestamp of this unit by it gives µs (Postgres' resolution). */
export const MICROS_PER_UNIT: Record<TimeUnit, number> = { s: 1_000_000, ms: 1000, us: 1, ns: 0.001 };
export const TWO_POW_32 = 4294967296;

/** Integer division rounding toward −∞, as timestamps before 1970 need. */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}
