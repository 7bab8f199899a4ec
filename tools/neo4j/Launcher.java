// Starts Neo4j Community embedded with Bolt on 127.0.0.1 for tests and development.
//
// Run (no separate compile step; the classpath comes from pom.xml via Maven):
//   java -Xmx512m -cp "$(cat cp.txt)" Launcher.java --data DIR [--port N] [--pagecache 128m]
//        [--tx-timeout 60s] [--watch-stdin] [--set key=value ...]
//
// --port 0 (the default) lets the OS choose a free port; the port actually bound is printed.
// On success prints exactly one line to stdout:  NEO4J_READY bolt://127.0.0.1:PORT VERSION
// Everything else (Neo4j's own logs) goes to DIR/logs/; stdout stays otherwise silent.
// Stops cleanly on SIGTERM/SIGINT and, with --watch-stdin, when stdin reaches EOF (so the server
// dies with the process that started it, even if that process is killed hard).
//
// Settings are passed as a generated neo4j.conf (string keys), so the same file works on
// Neo4j 5.26 LTS and on calendar releases 2025.x/2026.x.

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.neo4j.configuration.Config;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.internal.helpers.HostnamePort;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

public class Launcher {

    private static void usage(String msg) {
        System.err.println("Launcher: " + msg);
        System.err.println("usage: Launcher.java --data DIR [--port N] [--pagecache SIZE] [--tx-timeout DUR]"
                + " [--watch-stdin] [--set key=value ...]");
        System.exit(2);
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = null;
        int port = 0;
        String pagecache = "128m";
        String txTimeout = "60s";
        boolean watchStdin = false;
        List<String> extra = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--data" -> dataDir = Path.of(next(args, ++i, a));
                case "--port" -> port = Integer.parseInt(next(args, ++i, a));
                case "--pagecache" -> pagecache = next(args, ++i, a);
                case "--tx-timeout" -> txTimeout = next(args, ++i, a);
                case "--watch-stdin" -> watchStdin = true;
                case "--set" -> extra.add(next(args, ++i, a));
                default -> usage("unknown argument " + a);
            }
        }
        if (dataDir == null) {
            usage("--data DIR is required");
        }
        Files.createDirectories(dataDir);
        dataDir = dataDir.toAbsolutePath();

        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("server.bolt.enabled", "true");
        conf.put("server.bolt.listen_address", "127.0.0.1:" + port);
        conf.put("server.bolt.advertised_address", "127.0.0.1:" + port);
        conf.put("server.bolt.tls_level", "DISABLED");
        conf.put("dbms.security.auth_enabled", "false");
        conf.put("dbms.usage_report.enabled", "false");
        conf.put("server.memory.pagecache.size", pagecache);
        conf.put("db.transaction.timeout", txTimeout);
        // Throw-away data: do not preallocate transaction logs, keep only a little of them.
        conf.put("db.tx_log.preallocate", "false");
        conf.put("db.tx_log.rotation.retention_policy", "2 files");
        // Settings that exist only in some versions (or are internal): applied only when declared,
        // so strict config validation stays on for everything else.
        Map<String, String> optional = new LinkedHashMap<>();
        optional.put("server.fleet_discovery.enabled", "false"); // UDP broadcasts (2025.x+)
        optional.put("dbms.fleet_manager.enabled", "false");      // Aura Fleet Manager agent
        optional.put("internal.dbms.usage_report.udc_network_enabled", "false");
        // Bolt's Netty shutdown waits a 5 s quiet period per connector by default: stop in ~1 s.
        optional.put("internal.dbms.bolt.netty_server_shutdown_quiet_period_duration", "0s"); // 2025+
        optional.put("internal.dbms.bolt.netty_server_shutdown_quiet_period", "0");          // 5.x (s)
        optional.put("internal.dbms.bolt.netty_server_shutdown_timeout", "2s");
        Map<String, ?> declared = Config.defaults().getDeclaredSettings();
        optional.forEach((k, v) -> {
            if (declared.containsKey(k)) {
                conf.put(k, v);
            }
        });
        for (String kv : extra) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                usage("--set expects key=value, got " + kv);
            }
            conf.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        Path confFile = dataDir.resolve("neo4j.conf");
        StringBuilder sb = new StringBuilder("# generated by tools/neo4j/Launcher.java\n");
        conf.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        Files.writeString(confFile, sb.toString(), StandardCharsets.UTF_8);

        // Home = dataDir: the store goes to DIR/data, Neo4j's logs to DIR/logs.
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(dataDir)
                .loadPropertiesFromFile(confFile)
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                dbms.shutdown();
            } catch (Throwable t) {
                System.err.println("Launcher: error during shutdown: " + t);
            } finally {
                stopped.countDown();
            }
        }, "neo4j-shutdown"));

        GraphDatabaseService db = dbms.database("neo4j");
        if (!db.isAvailable(TimeUnit.MINUTES.toMillis(5))) {
            System.err.println("Launcher: database 'neo4j' did not become available");
            System.exit(1);
        }
        HostnamePort bolt = ((GraphDatabaseAPI) db).getDependencyResolver()
                .resolveDependency(ConnectorPortRegister.class)
                .getLocalAddress(ConnectorType.BOLT);
        if (bolt == null) {
            System.err.println("Launcher: Bolt connector is not listening");
            System.exit(1);
        }
        String version = org.neo4j.kernel.internal.Version.getNeo4jVersion();
        System.out.println("NEO4J_READY bolt://127.0.0.1:" + bolt.getPort() + " " + version);
        System.out.flush();

        if (watchStdin) {
            Thread t = new Thread(() -> {
                try {
                    InputStream in = System.in;
                    byte[] buf = new byte[256];
                    while (in.read(buf) >= 0) {
                        // ignore input; only EOF matters
                    }
                } catch (IOException ignored) {
                    // treat a broken stdin like EOF
                }
                System.exit(0); // runs the shutdown hook
            }, "stdin-watch");
            t.setDaemon(true);
            t.start();
        }
        stopped.await();
    }

    private static String next(String[] args, int i, String flag) {
        if (i >= args.length) {
            usage(flag + " needs a value");
        }
        return args[i];
    }
}
