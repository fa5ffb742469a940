import type { EncodedChunk } from '@flowengine/sdk';
import { transferCodec } from '../runtime/codecs.js';
import { PluginRuntime } from '../runtime/plugin-runtime.js';
import type { Request, RuntimeInit } from '../runtime/protocol.js';

/**
 * Entry of a `process`-mode child: the first IPC message carries the runtime init, every later one
 * is a request. The IPC channel uses `advanced` serialization so a chunk's buffer travels as bytes.
 */
const send = (message: unknown): void => {
  process.send?.(message);
};

process.once('message', (first: { init: RuntimeInit }) => {
  const runtime = new PluginRuntime<EncodedChunk>(first.init, transferCodec, send, { readAhead: true });
  process.on('message', (request: Request<EncodedChunk>) => {
    void runtime.handle(request).then(({ reply }) => {
      send(reply);
      if (request.op === 'close') process.disconnect();
    });
  });
});
