// A piscina task that returns the chunk message it got, transferring the buffer back: the
// "one piscina task per chunk" design the isolation host does not use, measured for comparison.
// (Piscina.move transfers only top-level values, so the buffer is named as the transferable.)
import { move, transferableSymbol, valueSymbol } from 'piscina';

export default function echo(message) {
  return move({ [transferableSymbol]: message.buffer, [valueSymbol]: message });
}
