import java.util.Collection;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;

/**
 * Waits until a freshly started broker answers Kafka's own admin client: the cluster lists at
 * least one broker (KRaft only reports unfenced brokers) and topic listing works. A TCP connect
 * is not enough: the port opens before the broker has caught up with the metadata log.
 *
 * Usage: KafkaReady BOOTSTRAP DEADLINE_MS [BROKER_PID]
 * Exit 0 when ready; 1 at the deadline; 2 as soon as BROKER_PID is gone (it died while starting).
 */
public final class KafkaReady {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: KafkaReady BOOTSTRAP DEADLINE_MS [BROKER_PID]");
            System.exit(64);
        }
        String bootstrap = args[0];
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[1]));
        Long pid = args.length > 2 ? Long.valueOf(args[2]) : null;

        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "100");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");

        String lastError = "no attempt made";
        try (Admin admin = Admin.create(props)) {
            while (System.nanoTime() < deadline) {
                if (pid != null && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    System.err.println("kafka-ready: broker process " + pid + " exited while starting");
                    System.exit(2);
                }
                try {
                    Collection<Node> nodes = admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
                    if (!nodes.isEmpty()) {
                        admin.listTopics().names().get(3, TimeUnit.SECONDS);
                        return;
                    }
                    lastError = "cluster lists no broker yet";
                } catch (Exception e) {
                    lastError = String.valueOf(e.getCause() != null ? e.getCause() : e);
                }
                Thread.sleep(200);
            }
        }
        System.err.println("kafka-ready: " + bootstrap + " not ready before the deadline; last: " + lastError);
        System.exit(1);
    }
}
