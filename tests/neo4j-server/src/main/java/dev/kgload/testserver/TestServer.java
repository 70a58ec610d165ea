package dev.kgload.testserver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * A real (not impermanent) Neo4j Community DBMS for kgload's tests, started in-process
 * from Maven Central jars and reachable over Bolt (and optionally HTTP + Neo4j Browser).
 *
 * <p>Options (each also readable from an environment variable, flags win):
 * <pre>
 *   --data DIR        KGLOAD_NEO4J_DATA       Neo4j home: databases, transaction logs, logs/
 *   --port P          KGLOAD_NEO4J_BOLT_PORT  Bolt port on 127.0.0.1 (default 7687)
 *   --http-port H     KGLOAD_NEO4J_HTTP_PORT  HTTP port (default: no HTTP connector)
 *   --password X      KGLOAD_NEO4J_PASSWORD   enable auth, user neo4j gets password X
 *   --pid-file F                              written at startup, removed on clean exit
 *   --plugins DIR                             APOC etc. (default: ../plugins next to our jar)
 *   --host H                                  listen address (default 127.0.0.1)
 *   --pagecache SIZE  KGLOAD_NEO4J_PAGECACHE  page cache, e.g. 512m or 2g (default 128m: tests
 *                                             share a 2-core box; a benchmark gives it the store's size)
 *   --transaction-max SIZE  KGLOAD_NEO4J_TRANSACTION_MAX
 *                                     db.memory.transaction.max, the memory one transaction may
 *                                     use (default 0: no limit but the DBMS's total); dynamic only
 *                                     in Enterprise, so a test that needs a small one sets it here
 *   --preallocate-tx-logs true|false  KGLOAD_NEO4J_PREALLOCATE_TX_LOGS
 *                                     preallocate each 256 MB transaction log file as a production
 *                                     server does (default false: a test suite starts several
 *                                     servers and would hold 512 MB of empty log per data dir)
 * </pre>
 * Prints exactly one line {@code KGLOAD-NEO4J READY bolt://HOST:PORT} on stdout when Bolt
 * accepts connections and the default database is online. SIGTERM shuts the DBMS down
 * cleanly (shutdown hook); SIGKILL leaves it to Neo4j's recovery on the next start.
 */
public final class TestServer {
    public static final String READY_PREFIX = "KGLOAD-NEO4J READY ";

    private TestServer() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> env = System.getenv();
        Path data = Path.of(env.getOrDefault("KGLOAD_NEO4J_DATA", "neo4j-data"));
        int boltPort = Integer.parseInt(env.getOrDefault("KGLOAD_NEO4J_BOLT_PORT", "7687"));
        int httpPort = Integer.parseInt(env.getOrDefault("KGLOAD_NEO4J_HTTP_PORT", "0"));
        String password = emptyToNull(env.get("KGLOAD_NEO4J_PASSWORD"));
        String host = "127.0.0.1";
        Path pidFile = null;
        Path plugins = defaultPluginsDir();
        String pagecache = env.getOrDefault("KGLOAD_NEO4J_PAGECACHE", "128m");
        String preallocate = env.getOrDefault("KGLOAD_NEO4J_PREALLOCATE_TX_LOGS", "false");
        String transactionMax = env.getOrDefault("KGLOAD_NEO4J_TRANSACTION_MAX", "0");

        for (int i = 0; i < argv.length; i++) {
            String flag = argv[i];
            if (flag.equals("-h") || flag.equals("--help")) {
                System.out.println("usage: TestServer [--data DIR] [--port P] [--http-port H] "
                        + "[--password X] [--pid-file F] [--plugins DIR] [--host H] [--pagecache SIZE] "
                        + "[--preallocate-tx-logs true|false] [--transaction-max SIZE]");
                return;
            }
            if (i + 1 >= argv.length) {
                die("missing value for " + flag);
            }
            String value = argv[++i];
            switch (flag) {
                case "--data" -> data = Path.of(value);
                case "--port" -> boltPort = Integer.parseInt(value);
                case "--http-port" -> httpPort = Integer.parseInt(value);
                case "--password" -> password = emptyToNull(value);
                case "--pid-file" -> pidFile = Path.of(value);
                case "--plugins" -> plugins = Path.of(value);
                case "--host" -> host = value;
                case "--pagecache" -> pagecache = value;
                case "--preallocate-tx-logs" -> preallocate = value;
                case "--transaction-max" -> transactionMax = value;
                default -> die("unknown option " + flag);
            }
        }

        data = data.toAbsolutePath();
        Files.createDirectories(data);
        if (pidFile != null) {
            // Written before the (possibly long, after a crash: recovery) startup, so that a
            // supervisor can already stop or kill us while we are still starting.
            Files.createDirectories(pidFile.toAbsolutePath().getParent());
            Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
        }
        if (!preallocate.equals("true") && !preallocate.equals("false")) {
            die("--preallocate-tx-logs takes true or false, not " + preallocate);
        }
        DatabaseManagementService dbms;
        try {
            dbms = build(data, host, boltPort, httpPort, password, plugins, ByteUnit.parse(pagecache),
                    Boolean.parseBoolean(preallocate), ByteUnit.parse(transactionMax));
        } catch (RuntimeException e) {
            // Exit for sure: half-started Neo4j threads would otherwise keep the JVM alive.
            e.printStackTrace();
            deleteQuietly(pidFile);
            die("Neo4j failed to start: " + e.getMessage());
            return;
        }

        // Registered right after build() so that SIGTERM during the password/readiness steps
        // still shuts the stores down cleanly.
        CountDownLatch stopped = new CountDownLatch(1);
        Path pid = pidFile;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("KGLOAD-NEO4J stopping");
            try {
                dbms.shutdown();
            } finally {
                deleteQuietly(pid);
                System.out.println("KGLOAD-NEO4J stopped");
                System.out.flush();
                stopped.countDown();
            }
        }, "kgload-neo4j-shutdown"));

        if (password != null) {
            setInitialPassword(dbms, password);
        }
        // build() only returns once the DBMS lifecycle (Bolt included) has started, but the
        // default database may still be recovering after a crash: wait until it is online.
        if (!dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME)
                .isAvailable(TimeUnit.MINUTES.toMillis(10))) {
            die("default database did not become available");
        }
        waitForPort(host, boltPort, Duration.ofSeconds(60));

        if (httpPort > 0) {
            System.out.println("KGLOAD-NEO4J HTTP http://" + host + ":" + httpPort + "/");
        }
        System.out.println(READY_PREFIX + "bolt://" + host + ":" + boltPort);
        System.out.flush();
        stopped.await(); // keep main alive; the JVM exits after the shutdown hook has run
    }

    private static DatabaseManagementService build(
            Path home, String host, int boltPort, int httpPort, String password, Path plugins, long pagecache,
            boolean preallocateTxLogs, long transactionMax) {
        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(host, boltPort))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(host, boltPort))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                // The HTTP connector is what serves /db/... and Neo4j Browser under /browser/.
                .setConfig(HttpConnector.enabled, httpPort > 0)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, password != null)
                // Tests may use short passwords; the real server's minimum is 8.
                .setConfig(GraphDatabaseSettings.auth_minimum_password_length, 1)
                // Small by default: 2-core CI box, several servers may run in parallel.
                .setConfig(GraphDatabaseSettings.pagecache_memory, pagecache)
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, preallocateTxLogs)
                .setConfig(GraphDatabaseSettings.memory_transaction_max_size, transactionMax)
                .setConfig(GraphDatabaseSettings.tx_state_memory_allocation,
                        GraphDatabaseSettings.TransactionStateMemoryAllocation.ON_HEAP)
                // APOC's "unsafe" procedures (e.g. apoc.periodic.*, apoc.cypher.*) need this.
                .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("apoc.*", "n10s.*"))
                // Don't let a stuck test transaction block SIGTERM for long.
                .setConfig(GraphDatabaseSettings.shutdown_transaction_end_timeout, Duration.ofSeconds(5))
                // Internal knobs (pinned Neo4j version): Bolt otherwise idles 2 x 5 s in netty's
                // graceful shutdown *after* the stores are checkpointed; tests stop servers often.
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofMillis(500))
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(2));
        if (httpPort > 0) {
            builder.setConfig(HttpConnector.listen_address, new SocketAddress(host, httpPort))
                    .setConfig(HttpConnector.advertised_address, new SocketAddress(host, httpPort));
        }
        if (plugins != null && Files.isDirectory(plugins)) {
            // Procedures are only discovered in the plugins directory, never on the classpath.
            builder.setConfig(GraphDatabaseSettings.plugin_dir, plugins.toAbsolutePath());
        }
        return builder.build();
    }

    /**
     * Embedded transactions run with full privileges, so the system database can set the
     * password directly (what `neo4j-admin dbms set-initial-password` achieves on a server).
     */
    private static void setInitialPassword(DatabaseManagementService dbms, String password) {
        try {
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (RuntimeException e) {
            // A restart on the same data dir with the same password: nothing to change.
            if (!String.valueOf(rootMessage(e)).contains("cannot be the same")) {
                throw e;
            }
        }
    }

    private static void waitForPort(String host, int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 1000);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    die("Bolt port " + port + " does not accept connections: " + e);
                }
                Thread.sleep(200);
            }
        }
    }

    private static Path defaultPluginsDir() {
        try {
            // target/neo4j-test-server.jar -> target/plugins (target/classes -> target/plugins)
            Path self = Path.of(TestServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return self.getParent().resolve("plugins");
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private static String rootMessage(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getMessage()).append(" / ");
        }
        return sb.toString();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static void die(String message) {
        System.err.println("KGLOAD-NEO4J ERROR " + message);
        System.exit(2);
    }
}
