// Starts Neo4j Community embedded with Bolt on 127.0.0.1 for tests and development.
//
// Run (no separate compile step; the classpath comes from pom.xml via Maven):
//   java -Xmx512m -cp "$(cat cp.txt)" Launcher.java --data DIR [--port N] [--pagecache 128m]
//        [--tx-timeout 60s] [--http N] [--watch-stdin] [--set key=value ...]
//
// --port 0 (the default) lets the OS choose a free port; the port actually bound is printed.
// On success prints one line to stdout:  NEO4J_READY bolt://127.0.0.1:PORT VERSION [http://127.0.0.1:HTTPPORT]
//
// --http N (0: a free port) also starts Neo4j's HTTP server on 127.0.0.1 the way the neo4j script
// does (CommunityBootstrapper rather than the embedded builder): the Query API, the discovery
// document at / and, when org.neo4j.client:neo4j-browser is on the classpath, Neo4j Browser at /browser/.
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
import org.neo4j.server.CommunityBootstrapper;

public class Launcher {

    private static void usage(String msg) {
        System.err.println("Launcher: " + msg);
        System.err.println("usage: Launcher.java --data DIR [--port N] [--pagecache SIZE] [--tx-timeout DUR]"
                + " [--http N] [--watch-stdin] [--set key=value ...]");
        System.exit(2);
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = null;
        int port = 0;
        String pagecache = "128m";
        String txTimeout = "60s";
        boolean watchStdin = false;
        int httpPort = -1;
        List<String> extra = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--data" -> dataDir = Path.of(next(args, ++i, a));
                case "--port" -> port = Integer.parseInt(next(args, ++i, a));
                case "--pagecache" -> pagecache = next(args, ++i, a);
                case "--tx-timeout" -> txTimeout = next(args, ++i, a);
                case "--watch-stdin" -> watchStdin = true;
                case "--http" -> httpPort = Integer.parseInt(next(args, ++i, a));
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
        conf.put("server.http.enabled", httpPort >= 0 ? "true" : "false");
        conf.put("server.https.enabled", "false");
        if (httpPort >= 0) {
            conf.put("server.http.listen_address", "127.0.0.1:" + httpPort);
            conf.put("server.http.advertised_address", "127.0.0.1:" + httpPort);
            conf.put("server.default_listen_address", "127.0.0.1");
        }
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
        // Neo4j Browser (with --http): no usage data sent out, no calls to outside hosts.
        optional.put("client.allow_telemetry", "false");
        optional.put("browser.allow_outgoing_connections", "false");
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
        CommunityBootstrapper server = null;
        DatabaseManagementService dbms;
        if (httpPort >= 0) {
            server = new CommunityBootstrapper();
            int status = server.start(dataDir, confFile, Map.of(), false, false);
            if (status != 0) {
                System.err.println("Launcher: the Neo4j server did not start (status " + status + "); see DIR/logs");
                System.exit(status);
            }
            dbms = server.getDatabaseManagementService();
        } else {
            dbms = new DatabaseManagementServiceBuilder(dataDir)
                    .loadPropertiesFromFile(confFile)
                    .build();
        }
        final CommunityBootstrapper started = server;

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (started != null) {
                    started.stop();
                } else {
                    dbms.shutdown();
                }
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
        String http = "";
        if (httpPort >= 0) {
            HostnamePort web = ((GraphDatabaseAPI) db).getDependencyResolver()
                    .resolveDependency(ConnectorPortRegister.class)
                    .getLocalAddress(ConnectorType.HTTP);
            if (web == null) {
                System.err.println("Launcher: the HTTP connector is not listening");
                System.exit(1);
            }
            http = " http://127.0.0.1:" + web.getPort();
        }
        System.out.println("NEO4J_READY bolt://127.0.0.1:" + bolt.getPort() + " " + version + http);
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
