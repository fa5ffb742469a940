import { readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { FlowEngineError } from '@flowengine/sdk';
import { writeFailed } from './atomic-file.js';

/**
 * `<path>.lock`, created exclusively, naming the process that writes `path`. A second run on the
 * same path fails at open instead of racing the first one's rename. A lock whose process is gone
 * (killed before it could clean up) is taken over.
 */
export class OutputLock {
  private constructor(readonly lockPath: string) {}

  static async acquire(path: string, where: string): Promise<OutputLock> {
    const lockPath = `${path}.lock`;
    const owner = JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(lockPath, owner, { flag: 'wx' });
        return new OutputLock(lockPath);
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') throw writeFailed(`${lockPath}: could not create the lock file`, path, cause);
      }
      const holder = await readHolder(lockPath);
      if (holder !== undefined && isAlive(holder)) {
        throw new FlowEngineError('FE_CSV_SINK_LOCKED',
          `${where}: expected to be the only writer of ${path}, found ${lockPath} held by process ${holder.pid} on ${holder.host} since ${holder.startedAt}`,
          { details: { path, lockPath, holder } });
      }
      await unlink(lockPath).catch(() => {});
    }
    throw new FlowEngineError('FE_CSV_SINK_LOCKED', `${where}: could not take ${lockPath}: another process keeps creating it`, { details: { path, lockPath } });
  }

  async release(): Promise<void> {
    await unlink(this.lockPath).catch(() => {});
  }
}

interface Holder {
  pid: number;
  host: string;
  startedAt: string;
}

async function readHolder(lockPath: string): Promise<Holder | undefined> {
  try {
    const holder = JSON.parse(await readFile(lockPath, 'utf8')) as Holder;
    return typeof holder.pid === 'number' ? holder : undefined;
  } catch {
    return undefined; // half-written or unreadable: treat as stale
  }
}

function isAlive(holder: Holder): boolean {
  // Another host's process cannot be probed: its lock is respected.
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
