import { expect } from 'vitest';
import { FlowEngineError } from '@flowengine/sdk';

/** Runs `fn`, asserts it throws a FlowEngineError and returns it (fails the test if nothing is thrown). */
export function thrown(fn: () => unknown): FlowEngineError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FlowEngineError);
    return error as FlowEngineError;
  }
  throw new Error('expected a throw');
}
