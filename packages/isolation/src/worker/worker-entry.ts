import { pathToFileURL } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import type { EncodedChunk } from '@flowengine/sdk';
import { transferCodec } from '../runtime/codecs.js';
import { PluginRuntime } from '../runtime/plugin-runtime.js';
import type { Request, RuntimeInit } from '../runtime/protocol.js';

/**
 * The piscina task that IS the instance: it opens a runtime, serves the chunk stream over its own
 * MessagePort (cheaper per chunk than one piscina task per chunk), and resolves only after close.
 * Because the task stays running for the instance's life, piscina reports any crash of the thread
 * (heap limit, exit, uncaught error) as this task's failure, and aborting it ends the thread.
 */
export default async function serveInstance({ port, init }: { port: MessagePort; init: RuntimeInit }): Promise<null> {
  const runtime = new PluginRuntime<EncodedChunk>(init, transferCodec, (event) => port.postMessage(event), { readAhead: true });
  await new Promise<void>((resolve) => {
    port.on('message', (request: Request<EncodedChunk>) => {
      void runtime.handle(request).then(({ reply, transfer }) => {
        port.postMessage(reply, transfer);
        if (request.op === 'close') resolve();
      });
    });
  });
  port.close();
  return null;
}

/**
 * A short piscina task run on a prepared pool before the instance is opened: it imports the plugin
 * module so that `open` finds it loaded. Errors are ignored here; `open` reports them.
 */
export async function preload({ modulePath }: { modulePath: string }): Promise<null> {
  try {
    await import(pathToFileURL(modulePath).href);
  } catch {
    // open() imports it again and turns the failure into FE_PLUGIN_LOAD_FAILED.
  }
  return null;
}
