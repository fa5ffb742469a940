/**
 * The one error class of FlowEngine. Every failure a user can see carries a stable `code`
 * (`FE_<AREA>_<WHAT>`), a message for humans, structured `details` and the original `cause`.
 *
 * Errors cross worker and process boundaries as plain data ({@link FlowEngineError.toData}) and
 * come back as this class with the same code ({@link FlowEngineError.fromData}).
 *
 * @example
 * throw new FlowEngineError('FE_SCHEMA_UNKNOWN_TYPE',
 *   'field "amount": expected one of int32, int64, ... but found "money"',
 *   { details: { field: 'amount', found: 'money' } });
 */
export class FlowEngineError extends Error {
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FlowEngineError';
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  /** Plain, structured-cloneable data: what crosses a worker or process boundary. */
  toData(): FlowEngineErrorData {
    return {
      name: 'FlowEngineError',
      code: this.code,
      message: this.message,
      details: toCloneable(this.details) as Record<string, unknown>,
      stack: this.stack,
      cause: causeToData(this.cause),
    };
  }

  static fromData(data: FlowEngineErrorData): FlowEngineError {
    const cause = data.cause === undefined ? undefined : causeFromData(data.cause);
    const error = new FlowEngineError(data.code, data.message, { details: data.details, cause });
    if (data.stack !== undefined) error.stack = data.stack;
    return error;
  }

  /**
   * Wraps anything thrown into a FlowEngineError: a FlowEngineError passes through unchanged,
   * anything else becomes `fallbackCode` (by default `FE_PLUGIN_UNCAUGHT`) with the original as `cause`.
   */
  static from(thrown: unknown, fallbackCode = 'FE_PLUGIN_UNCAUGHT', context = ''): FlowEngineError {
    if (thrown instanceof FlowEngineError) return thrown;
    if (isFlowEngineErrorData(thrown)) return FlowEngineError.fromData(thrown);
    const text = thrown instanceof Error ? thrown.message : String(thrown);
    const prefix = context === '' ? '' : `${context}: `;
    return new FlowEngineError(fallbackCode, `${prefix}uncaught ${describeThrown(thrown)}: ${text}`, { cause: thrown });
  }
}

export interface FlowEngineErrorData {
  name: 'FlowEngineError';
  code: string;
  message: string;
  details: Record<string, unknown>;
  stack?: string | undefined;
  cause?: CauseData | undefined;
}

type CauseData = FlowEngineErrorData | { name: string; message: string; stack?: string | undefined };

export function isFlowEngineErrorData(value: unknown): value is FlowEngineErrorData {
  return typeof value === 'object' && value !== null
    && (value as { name?: unknown }).name === 'FlowEngineError'
    && typeof (value as { code?: unknown }).code === 'string'
    && typeof (value as { message?: unknown }).message === 'string';
}

function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.name;
  return thrown === null ? 'null' : typeof thrown;
}

function causeToData(cause: unknown): CauseData | undefined {
  if (cause === undefined) return undefined;
  if (cause instanceof FlowEngineError) return cause.toData();
  if (cause instanceof Error) return { name: cause.name, message: cause.message, stack: cause.stack };
  return { name: typeof cause, message: String(cause) };
}

function causeFromData(data: CauseData): unknown {
  if (isFlowEngineErrorData(data)) return FlowEngineError.fromData(data);
  const error = new Error(data.message);
  error.name = data.name;
  if (data.stack !== undefined) error.stack = data.stack;
  return error;
}

/** Details may hold bigints, buffers or class instances; keep what structured clone accepts. */
function toCloneable(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? String(value) : value;
  if (Array.isArray(value)) return value.map(toCloneable);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = toCloneable(item);
  return out;
}
