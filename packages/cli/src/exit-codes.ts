/** Exit codes of `flowengine`, documented in the README. */
export const EXIT = Object.freeze({
  ok: 0,
  /** The run failed: a plugin error, a restart limit, a failed sink. */
  runFailed: 1,
  /** The config or the command line is wrong; nothing ran. */
  usage: 2,
  /** The run succeeded but was slower than the baseline by more than `maxRegressionPercent`. */
  regression: 3,
  /** Stopped by SIGINT (drained, flushed, acknowledged). */
  sigint: 130,
  /** Stopped by SIGTERM (drained, flushed, acknowledged). */
  sigterm: 143,
});
