// Node wrapper around kafka.sh for vitest global setups and the bench: the same broker, driven
// through async child processes so a setup never blocks the event loop while the JVM starts.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the shell script this module drives. */
export const KAFKA_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'kafka.sh');

// Cold start downloads ~55 MB of jars; leave room for a slow mirror on top of the broker's own
// start deadline (FLOWENGINE_KAFKA_START_TIMEOUT, 120 s by default).
const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Runs `kafka.sh <args>` and resolves with its exit code, stdout and stderr; rejects only when
 * the script could not be run at all or overran the timeout.
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, timeoutMs?: number }} [options]
 * @returns {Promise<{ code: number, stdout: string, stderr: string }>}
 */
function run(args, options = {}) {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [KAFKA_SCRIPT, ...args],
      {
        env: { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        killSignal: 'SIGTERM',
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          const why = error.killed ? `timed out after ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms` : error.message;
          reject(new Error(`${KAFKA_SCRIPT} ${args.join(' ')}: ${why}\n${stderr}`, { cause: error }));
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** The bootstrap address is the script's last stdout line; anything before it is chatter. */
function lastLine(text) {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines[lines.length - 1] ?? '';
}

async function runForAddress(command, options) {
  const { code, stdout, stderr } = await run([command], options);
  const address = lastLine(stdout);
  if (code !== 0 || !/^127\.0\.0\.1:\d+$/.test(address)) {
    throw new Error(
      `${KAFKA_SCRIPT} ${command}: expected exit 0 and a last line "127.0.0.1:PORT", ` +
        `got exit ${code} and ${JSON.stringify(address)}\n${stderr}`,
    );
  }
  return address;
}

/**
 * Starts the broker (or finds the one already running for this state dir) and resolves with its
 * bootstrap address, e.g. `127.0.0.1:39287`.
 * @param {{ env?: NodeJS.ProcessEnv, timeoutMs?: number }} [options] `env` is merged over
 *   `process.env`, e.g. `{ FLOWENGINE_KAFKA_STATE_DIR: '/tmp/my-kafka' }`.
 * @returns {Promise<string>}
 */
export function startKafka(options) {
  return runForAddress('start', options);
}

/**
 * Resolves with the running broker's address, or `undefined` when none runs (or it is paused).
 * @param {{ env?: NodeJS.ProcessEnv, timeoutMs?: number }} [options]
 * @returns {Promise<string | undefined>}
 */
export async function kafkaStatus(options) {
  const { code, stdout } = await run(['status'], options);
  return code === 0 ? lastLine(stdout) : undefined;
}

async function runOrThrow(command, options) {
  const { code, stderr } = await run([command], options);
  if (code !== 0) throw new Error(`${KAFKA_SCRIPT} ${command}: exit ${code}\n${stderr}`);
}

/**
 * Stops the broker and deletes its data; resolves also when nothing was running.
 * @param {{ env?: NodeJS.ProcessEnv, timeoutMs?: number }} [options]
 * @returns {Promise<void>}
 */
export function stopKafka(options) {
  return runOrThrow('stop', options);
}

/**
 * Stops the broker process but keeps its data and port, to test a broker outage mid-run.
 * @param {{ env?: NodeJS.ProcessEnv, timeoutMs?: number }} [options]
 * @returns {Promise<void>}
 */
export function pauseKafka(options) {
  return runOrThrow('pause', options);
}

/**
 * Starts a paused broker again on the same port with the same data; resolves with its address.
 * @param {{ env?: NodeJS.ProcessEnv, timeoutMs?: number }} [options]
 * @returns {Promise<string>}
 */
export function resumeKafka(options) {
  return runForAddress('resume', options);
}
