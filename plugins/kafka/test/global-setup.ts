// Finds the Kafka broker for the tests: FLOWENGINE_TEST_KAFKA_BROKERS when set (CI starts one
// with tools/services/kafka.sh), otherwise starts one through tools/services/kafka.mjs and stops
// it afterwards. When no broker can be started (no java/mvn), the Kafka tests skip with the
// reason, unless FLOWENGINE_REQUIRE_SERVICES is set: then the run fails.
import { kafkaStatus, startKafka, stopKafka } from '../../../tools/services/kafka.mjs';

let started = false;

export async function setup(): Promise<void> {
  if (process.env['FLOWENGINE_TEST_KAFKA_BROKERS']) return;
  try {
    // A broker already running on this state dir belongs to someone else: use it, never stop it.
    const running = await kafkaStatus().catch(() => undefined);
    if (running !== undefined) {
      process.env['FLOWENGINE_TEST_KAFKA_BROKERS'] = running;
      return;
    }
    process.env['FLOWENGINE_TEST_KAFKA_BROKERS'] = await startKafka();
    started = true;
  } catch (error) {
    const reason = `no Kafka broker: FLOWENGINE_TEST_KAFKA_BROKERS is unset and tools/services/kafka.sh start failed: ${(error as Error).message.split('\n').slice(0, 3).join(' ')}`;
    if (process.env['FLOWENGINE_REQUIRE_SERVICES']) throw new Error(`${reason} (FLOWENGINE_REQUIRE_SERVICES is set, so this fails instead of skipping)`, { cause: error });
    process.env['FLOWENGINE_TEST_KAFKA_SKIP'] = reason;
  }
}

export async function teardown(): Promise<void> {
  if (started) await stopKafka();
}
