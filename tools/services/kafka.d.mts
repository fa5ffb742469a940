/** Options shared by every call: `env` is merged over `process.env`. */
export interface KafkaScriptOptions {
  env?: NodeJS.ProcessEnv;
  /** Kill the script past this many ms (default 10 minutes: a cold start downloads jars). */
  timeoutMs?: number;
}

/** Absolute path of `kafka.sh`. */
export declare const KAFKA_SCRIPT: string;
/** Starts (or finds) the broker; resolves with `127.0.0.1:PORT`. */
export declare function startKafka(options?: KafkaScriptOptions): Promise<string>;
/** The running broker's address, or `undefined` when none runs or it is paused. */
export declare function kafkaStatus(options?: KafkaScriptOptions): Promise<string | undefined>;
/** Stops the broker and deletes its data. */
export declare function stopKafka(options?: KafkaScriptOptions): Promise<void>;
/** Stops the broker process, keeping data and port for `resumeKafka`. */
export declare function pauseKafka(options?: KafkaScriptOptions): Promise<void>;
/** Restarts a paused broker on the same port with the same data; resolves with its address. */
export declare function resumeKafka(options?: KafkaScriptOptions): Promise<string>;
