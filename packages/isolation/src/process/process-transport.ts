import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowEngineError } from '@flowengine/sdk';
import type { EncodedChunk } from '@flowengine/sdk';
import { transferCodec } from '../runtime/codecs.js';
import type { Reply, RequestBody, RuntimeEvent, RuntimeInit } from '../runtime/protocol.js';
import { Transport } from '../instance/transport.js';
import type { TransportListener } from '../instance/transport.js';
import { dependencyClosure, packageRootOf, permissionArgs, runtimeReadPaths } from './permissions.js';

const CHILD_ENTRY = fileURLToPath(new URL('./child-entry.js', import.meta.url));
const STDERR_TAIL = 4096;

export interface ProcessTransportOptions {
  readonly memoryLimitMB: number;
  /** The plugin package directory; default: the package holding the module. */
  readonly packageDir?: string | undefined;
  readonly read: readonly string[];
  readonly write: readonly string[];
  readonly env: readonly string[];
}

/**
 * One plugin runtime in a child process under Node's permission model: it may read its own package
 * and dependencies, the SDK/isolation runtime, and the granted paths; write only its spill directory
 * and granted paths; and it sees only the declared environment variables.
 */
export class ProcessTransport extends Transport<EncodedChunk> {
  readonly codec = transferCodec;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #ended = false;
  #stderr = '';

  constructor(init: RuntimeInit, options: ProcessTransportOptions, listener: TransportListener) {
    super(listener);
    const packageDir = options.packageDir ?? packageRootOf(dirname(init.modulePath));
    const read = [...dependencyClosure(packageDir), ...runtimeReadPaths(), ...options.read];
    const write = [init.spillDir, ...options.write];
    const env: Record<string, string> = {};
    for (const name of options.env) if (process.env[name] !== undefined) env[name] = process.env[name] as string;
    this.#child = fork(CHILD_ENTRY, [], {
      execArgv: [...permissionArgs(read, write), `--max-old-space-size=${options.memoryLimitMB}`, '--disable-warning=ExperimentalWarning'],
      env,
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.#child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      for (const line of text.split('\n')) if (line !== '') listener.event({ type: 'log', level: 'info', message: line, fields: { stream: 'stdout' } });
    });
    this.#child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      this.#stderr = (this.#stderr + text).slice(-STDERR_TAIL);
    });
    this.#child.on('message', (message: Reply<EncodedChunk> | RuntimeEvent) => this.receive(message));
    this.#exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        if (!this.#ended) this.fail(classifyExit(init.name, options.memoryLimitMB, code, signal, this.#stderr));
        resolve();
      });
    });
    this.#child.on('error', (error) => {
      if (!this.#ended) this.fail(new FlowEngineError('FE_PLUGIN_CRASHED', `instance "${init.name}": could not run the child process: ${error.message}`, { cause: error }));
    });
    this.#child.send({ init });
  }

  protected send(message: RequestBody<EncodedChunk> & { id: number }): void {
    // The child exits by design after answering close; its exit is not a failure.
    if (message.op === 'close') this.#ended = true;
    // IPC copies the bytes (advanced serialization) instead of transferring them.
    this.#child.send(message);
  }

  protected async terminate(): Promise<void> {
    this.#ended = true;
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
    await this.#exited;
  }

  async dispose(): Promise<void> {
    this.#ended = true;
    // The child disconnects and exits after answering close; make sure it does not linger.
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 2000);
    await this.#exited;
    clearTimeout(timer);
  }
}

function classifyExit(name: string, memoryLimitMB: number, code: number | null, signal: NodeJS.Signals | null, stderr: string): FlowEngineError {
  const how = signal === null ? `code ${String(code)}` : `signal ${signal}`;
  const tail = stderr.trim().split('\n').slice(-8).join('\n');
  if (/heap out of memory|Reached heap limit/i.test(stderr)) {
    return new FlowEngineError('FE_PLUGIN_OUT_OF_MEMORY', `instance "${name}": its V8 heap reached memoryLimitMB (${memoryLimitMB} MB); the child process was ended`,
      { details: { instance: name, memoryLimitMB, limit: 'heap' } });
  }
  return new FlowEngineError('FE_PLUGIN_CRASHED',
    `instance "${name}": the child process exited with ${how}${tail === '' ? '' : `; its last output:\n${tail}`}`,
    { details: { instance: name, exitCode: code, signal, stderr: tail } });
}
