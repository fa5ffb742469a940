import type { Chunk } from '@flowengine/sdk';
import { inlineCodec } from '../runtime/codecs.js';
import { PluginRuntime } from '../runtime/plugin-runtime.js';
import type { RequestBody, RuntimeInit } from '../runtime/protocol.js';
import { Transport } from '../instance/transport.js';
import type { TransportListener } from '../instance/transport.js';

/**
 * Runs the plugin on the engine's own thread: no copy, no isolation. Timeouts still reject the call
 * (the plugin's promise is abandoned, not stopped), but a sync loop blocks the engine and memory
 * limits are not enforced. For tests and for measuring what isolation costs.
 */
export class InlineTransport extends Transport<Chunk> {
  readonly codec = inlineCodec;
  readonly #runtime: PluginRuntime<Chunk>;

  constructor(init: RuntimeInit, listener: TransportListener) {
    super(listener);
    this.#runtime = new PluginRuntime(init, inlineCodec, (event) => listener.event(event));
  }

  protected send(message: RequestBody<Chunk> & { id: number }): void {
    void this.#runtime.handle(message).then(({ reply }) => this.receive(reply));
  }

  protected async terminate(): Promise<void> {}

  async dispose(): Promise<void> {}
}
