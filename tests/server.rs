//! Server commands end to end: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, INFO, CONFIG and
//! SHUTDOWN, with Redis 7.0's exact replies and error texts (checked against
//! redis-server 7.0.15).

mod common;

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{RawConn, TestServer};

fn bulk(text: &str) -> Vec<u8> {
    format!("${}\r\n{text}\r\n", text.len()).into_bytes()
}

fn error(text: &str) -> Vec<u8> {
    format!("-{text}\r\n").into_bytes()
}

/// The text of a bulk-string reply.
fn bulk_text(reply: &[u8]) -> String {
    let text = String::from_utf8(reply.to_vec()).expect("utf-8 reply");
    let (header, body) = text.split_once("\r\n").expect("bulk header");
    let len: usize = header
        .strip_prefix('$')
        .expect("a bulk string")
        .parse()
        .expect("length");
    assert_eq!(body.len(), len + 2, "bulk length");
    body[..len].to_string()
}

/// INFO as a section -> (field -> value) map, checking the layout on the way: `# Title`
/// headers, `name:value` lines, CRLF endings, one blank line between sections.
fn info(conn: &mut RawConn, sections: &[&str]) -> (Vec<String>, HashMap<String, String>) {
    let mut request: Vec<&[u8]> = vec![b"INFO"];
    request.extend(sections.iter().map(|s| s.as_bytes()));
    let text = bulk_text(&conn.cmd(&request));
    assert!(
        text.is_empty() || text.ends_with("\r\n"),
        "INFO ends with CRLF"
    );
    assert!(!text.replace("\r\n", "").contains('\n'), "bare LF in INFO");
    let mut titles = Vec::new();
    let mut fields = HashMap::new();
    for (i, block) in text.trim_end_matches("\r\n").split("\r\n\r\n").enumerate() {
        if text.is_empty() {
            break;
        }
        let mut lines = block.split("\r\n");
        let title = lines
            .next()
            .and_then(|l| l.strip_prefix("# "))
            .unwrap_or_else(|| panic!("section {i} header"));
        titles.push(title.to_string());
        for line in lines {
            let (name, value) = line
                .split_once(':')
                .unwrap_or_else(|| panic!("bad INFO line {line:?}"));
            assert!(
                fields.insert(name.to_string(), value.to_string()).is_none(),
                "duplicate field {name}"
            );
        }
    }
    (titles, fields)
}

#[test]
fn dbsize_flushdb_flushall() {
    let server = TestServer::start();
    let mut c = server.raw();
    assert_eq!(c.cmd(&[b"DBSIZE"]), b":0\r\n");
    for key in [&b"a"[..], b"b", b"c"] {
        assert_eq!(c.cmd(&[b"SET", key, b"v"]), b"+OK\r\n");
    }
    assert_eq!(c.cmd(&[b"DBSIZE"]), b":3\r\n");
    assert_eq!(
        c.cmd(&[b"DBSIZE", b"x"]),
        error("ERR wrong number of arguments for 'dbsize' command")
    );
    assert_eq!(c.cmd(&[b"SELECT", b"1"]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"SET", b"other", b"v"]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"FLUSHDB"]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"DBSIZE"]), b":0\r\n");
    assert_eq!(c.cmd(&[b"SELECT", b"0"]), b"+OK\r\n");
    assert_eq!(
        c.cmd(&[b"DBSIZE"]),
        b":3\r\n",
        "FLUSHDB touches only the selected db"
    );
    for bad in [
        &[&b"FLUSHDB"[..], b"foo"][..],
        &[b"FLUSHDB", b"ASYNC", b"SYNC"],
        &[b"FLUSHALL", b"async", b"x"],
    ] {
        assert_eq!(c.cmd(bad), error("ERR syntax error"));
    }
    assert_eq!(c.cmd(&[b"FLUSHDB", b"async"]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"DBSIZE"]), b":0\r\n");
    for (mode, n) in [(&b"SYNC"[..], 50), (b"ASYNC", 5000)] {
        for db in [&b"0"[..], b"3"] {
            c.cmd(&[b"SELECT", db]);
            for i in 0..n {
                c.cmd(&[b"SET", format!("k{i}").as_bytes(), b"v"]);
            }
        }
        assert_eq!(c.cmd(&[b"FLUSHALL", mode]), b"+OK\r\n");
        assert_eq!(c.cmd(&[b"DBSIZE"]), b":0\r\n");
        c.cmd(&[b"SELECT", b"0"]);
        assert_eq!(c.cmd(&[b"DBSIZE"]), b":0\r\n");
    }
    assert_eq!(c.cmd(&[b"SET", b"after", b"1"]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"FLUSHALL"]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"GET", b"after"]), b"$-1\r\n");
}

#[test]
fn swapdb_exchanges_contents_and_checks_indexes() {
    let server = TestServer::start();
    let mut c = server.raw();
    let mut other = server.raw();
    assert_eq!(c.cmd(&[b"SET", b"k", b"zero"]), b"+OK\r\n");
    assert_eq!(other.cmd(&[b"SELECT", b"1"]), b"+OK\r\n");
    assert_eq!(other.cmd(&[b"SET", b"k", b"one"]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"SWAPDB", b"0", b"1"]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"GET", b"k"]), bulk("one"));
    assert_eq!(
        other.cmd(&[b"GET", b"k"]),
        bulk("zero"),
        "clients stay on their index"
    );
    assert_eq!(c.cmd(&[b"SWAPDB", b"0", b"0"]), b"+OK\r\n");
    assert_eq!(
        c.cmd(&[b"SWAPDB", b"a", b"1"]),
        error("ERR invalid first DB index")
    );
    assert_eq!(
        c.cmd(&[b"SWAPDB", b"0", b"a"]),
        error("ERR invalid second DB index")
    );
    assert_eq!(
        c.cmd(&[b"SWAPDB", b"99999999999", b"1"]),
        error("ERR invalid first DB index")
    );
    assert_eq!(
        c.cmd(&[b"SWAPDB", b"0", b"16"]),
        error("ERR DB index is out of range")
    );
    assert_eq!(
        c.cmd(&[b"SWAPDB", b"-1", b"0"]),
        error("ERR DB index is out of range")
    );
    assert_eq!(
        c.cmd(&[b"SWAPDB", b"0"]),
        error("ERR wrong number of arguments for 'swapdb' command")
    );
}

#[test]
fn time_is_the_wall_clock() {
    let server = TestServer::start();
    let mut c = server.raw();
    let reply = String::from_utf8(c.cmd(&[b"TIME"])).unwrap();
    let parts: Vec<&str> = reply.split("\r\n").collect();
    assert_eq!(parts[0], "*2");
    let seconds: u64 = parts[2].parse().unwrap();
    let micros: u64 = parts[4].parse().unwrap();
    assert_eq!(parts[1], format!("${}", parts[2].len()));
    assert!(micros < 1_000_000);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(seconds.abs_diff(now) <= 2, "TIME {seconds} vs {now}");
    assert_eq!(
        c.cmd(&[b"TIME", b"x"]),
        error("ERR wrong number of arguments for 'time' command")
    );
}

#[test]
fn info_sections_and_fields() {
    let server = TestServer::start();
    let mut c = server.raw();
    let (titles, fields) = info(&mut c, &[]);
    let default = [
        "Server",
        "Clients",
        "Memory",
        "Persistence",
        "Stats",
        "Replication",
        "CPU",
        "Modules",
        "Errorstats",
        "Cluster",
        "Keyspace",
    ];
    assert_eq!(titles, default);
    assert_eq!(info(&mut c, &["default"]).0, default);
    let all = [
        "Server",
        "Clients",
        "Memory",
        "Persistence",
        "Stats",
        "Replication",
        "CPU",
        "Modules",
        "Commandstats",
        "Errorstats",
        "Latencystats",
        "Cluster",
        "Keyspace",
    ];
    for request in [&["all"][..], &["everything"], &["EVERYTHING", "server"]] {
        assert_eq!(info(&mut c, request).0, all, "INFO {request:?}");
    }
    assert_eq!(fields["redis_version"], "7.0.15");
    assert_eq!(fields["rredis_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(fields["redis_mode"], "standalone");
    assert_eq!(fields["arch_bits"], "64");
    assert!(fields["os"].starts_with("Linux "), "{}", fields["os"]);
    assert_eq!(fields["process_id"], server.pid().to_string());
    assert_eq!(fields["tcp_port"], server.addr.port().to_string());
    assert_eq!(fields["run_id"].len(), 40);
    assert!(fields["run_id"].bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(fields["hz"], "10");
    assert_eq!(fields["config_file"], "");
    assert!(fields["executable"].ends_with("rredis-server"));
    assert!(fields["uptime_in_seconds"].parse::<u64>().unwrap() < 60);
    assert_eq!(fields["uptime_in_days"], "0");
    assert_eq!(fields["connected_clients"], "1");
    assert_eq!(fields["maxclients"], "10000");
    assert_eq!(fields["mem_allocator"], "libc");
    assert_eq!(fields["maxmemory"], "0");
    assert_eq!(fields["maxmemory_human"], "0B");
    let used: u64 = fields["used_memory"].parse().unwrap();
    let rss: u64 = fields["used_memory_rss"].parse().unwrap();
    assert!(used > 0 && rss > 0, "memory {used} {rss}");
    assert!(fields["used_memory_human"].ends_with(['B', 'K', 'M', 'G']));
    assert_eq!(fields["role"], "master");
    assert_eq!(fields["loading"], "0");
    assert_eq!(fields["cluster_enabled"], "0");
    assert!(fields["used_cpu_user"].contains('.'));
    assert_eq!(
        fields["total_commands_processed"], "0",
        "INFO does not count itself"
    );
    assert_eq!(fields["total_connections_received"], "1");
    assert_eq!(fields["total_error_replies"], "0");
}

#[test]
fn info_selects_sections_in_redis_order() {
    let server = TestServer::start();
    let mut c = server.raw();
    assert_eq!(c.cmd(&[b"INFO", b"nosuch"]), b"$0\r\n\r\n");
    assert_eq!(c.cmd(&[b"INFO", b"keyspace"]), bulk("# Keyspace\r\n"));
    assert_eq!(
        c.cmd(&[b"INFO", b"cluster", b"KEYSPACE"]),
        bulk("# Cluster\r\ncluster_enabled:0\r\n\r\n# Keyspace\r\n")
    );
    assert_eq!(
        info(&mut c, &["clients", "server"]).0,
        ["Server", "Clients"]
    );
    c.cmd(&[b"SET", b"a", b"1"]);
    c.cmd(&[b"SET", b"b", b"1", b"EX", b"100"]);
    c.cmd(&[b"SELECT", b"5"]);
    c.cmd(&[b"SET", b"c", b"1"]);
    // avg_ttl comes from the active expire cycle's samples: 0 until the cron has
    // sampled db0's one TTL, then close to its 100 s.
    std::thread::sleep(std::time::Duration::from_millis(350));
    let text = String::from_utf8(c.cmd(&[b"INFO", b"keyspace"])).unwrap();
    let (head, avg_ttl) = text
        .split_once("\r\ndb0:keys=2,expires=1,avg_ttl=")
        .expect("db0 line");
    assert!(head.ends_with("# Keyspace"), "{text}");
    let (avg_ttl, rest) = avg_ttl.split_once("\r\n").unwrap();
    let avg_ttl: i64 = avg_ttl.parse().unwrap();
    assert!((95_000..=100_000).contains(&avg_ttl), "{text}");
    assert_eq!(rest, "db5:keys=1,expires=0,avg_ttl=0\r\n\r\n");
}

#[test]
fn info_stats_count_what_happened() {
    let server = TestServer::start();
    let mut c = server.raw();
    c.cmd(&[b"SET", b"k", b"v"]);
    c.cmd(&[b"GET", b"k"]);
    c.cmd(&[b"GET", b"k"]);
    c.cmd(&[b"GET", b"missing"]);
    c.cmd(&[b"NOSUCHCOMMAND"]);
    c.cmd(&[b"SET", b"gone", b"v", b"PX", b"1"]);
    std::thread::sleep(Duration::from_millis(20));
    c.cmd(&[b"GET", b"gone"]);
    let (_, fields) = info(&mut c, &["stats"]);
    assert_eq!(fields["keyspace_hits"], "2");
    assert_eq!(fields["keyspace_misses"], "2");
    assert_eq!(fields["expired_keys"], "1");
    assert_eq!(fields["total_error_replies"], "1");
    assert_eq!(fields["total_commands_processed"], "6");
    assert!(fields["total_net_input_bytes"].parse::<u64>().unwrap() > 100);
    assert!(fields["total_net_output_bytes"].parse::<u64>().unwrap() > 20);
    assert_eq!(c.cmd(&[b"CONFIG", b"RESETSTAT"]), b"+OK\r\n");
    let (_, fields) = info(&mut c, &["stats"]);
    assert_eq!(fields["keyspace_hits"], "0");
    assert_eq!(fields["keyspace_misses"], "0");
    assert_eq!(fields["expired_keys"], "0");
    assert_eq!(fields["total_error_replies"], "0");
    assert_eq!(
        fields["total_commands_processed"], "1",
        "RESETSTAT itself, as in Redis"
    );
    let _second = server.raw();
    std::thread::sleep(Duration::from_millis(50));
    let (_, fields) = info(&mut c, &["clients", "stats"]);
    assert_eq!(fields["connected_clients"], "2");
    assert_eq!(fields["total_connections_received"], "1");
}

#[test]
fn config_get() {
    let server = TestServer::start();
    let mut c = server.raw();
    assert_eq!(
        c.cmd(&[b"CONFIG", b"GET", b"hz"]),
        b"*2\r\n$2\r\nhz\r\n$2\r\n10\r\n"
    );
    assert_eq!(
        c.cmd(&[b"CONFIG", b"GET", b"HZ"]),
        b"*2\r\n$2\r\nHZ\r\n$2\r\n10\r\n",
        "exact names echo the spelling"
    );
    assert_eq!(
        c.cmd(&[b"CONFIG", b"GET", b"H?"]),
        b"*2\r\n$2\r\nhz\r\n$2\r\n10\r\n"
    );
    assert_eq!(c.cmd(&[b"CONFIG", b"GET", b"nosuch"]), b"*0\r\n");
    assert_eq!(
        c.cmd(&[b"CONFIG", b"GET", b"hz", b"h?", b"hz"]),
        b"*2\r\n$2\r\nhz\r\n$2\r\n10\r\n"
    );
    // What redis-benchmark asks at start (the test server runs with the default save).
    assert_eq!(
        c.cmd(&[b"CONFIG", b"GET", b"appendonly"]),
        b"*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n"
    );
    assert_eq!(
        c.cmd(&[b"CONFIG", b"GET", b"save"]),
        b"*2\r\n$4\r\nsave\r\n$23\r\n3600 1 300 100 60 10000\r\n"
    );
    let reply = c.cmd(&[b"CONFIG", b"GET", b"*"]);
    let count: usize =
        String::from_utf8_lossy(&reply[1..reply.iter().position(|&b| b == b'\r').unwrap()])
            .parse()
            .unwrap();
    // Every parameter but the hidden ones, which only an exact name shows.
    let listed = rredis::config::all_names()
        .filter(|(name, _)| !rredis::config::is_hidden(name))
        .count();
    assert_eq!(count, 2 * listed);
    assert_eq!(
        c.cmd(&[b"CONFIG", b"GET"]),
        error("ERR wrong number of arguments for 'config|get' command")
    );
    assert_eq!(
        c.cmd(&[b"CONFIG"]),
        error("ERR wrong number of arguments for 'config' command")
    );
    assert_eq!(
        c.cmd(&[b"CONFIG", b"FOO"]),
        error("ERR unknown subcommand 'FOO'. Try CONFIG HELP.")
    );
}

#[test]
fn config_set_is_all_or_nothing() {
    let server = TestServer::start();
    let mut c = server.raw();
    let hz = |c: &mut RawConn| c.cmd(&[b"CONFIG", b"GET", b"hz"]);
    let hz_is = |n: &str| format!("*2\r\n$2\r\nhz\r\n${}\r\n{n}\r\n", n.len()).into_bytes();
    assert_eq!(c.cmd(&[b"CONFIG", b"SET", b"hz", b"20"]), b"+OK\r\n");
    assert_eq!(hz(&mut c), hz_is("20"));
    assert_eq!(
        c.cmd(&[b"CONFIG", b"SET", b"HZ", b"21", b"timeout", b"5"]),
        b"+OK\r\n"
    );
    assert_eq!(hz(&mut c), hz_is("21"));
    let cases: &[(&[&[u8]], &str)] = &[
        (&[b"foo", b"1"], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
        (&[b"hz", b"50", b"foo", b"1"], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
        (&[b"hz", b"abc", b"foo", b"1"], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
        (&[b"hz", b"abc"], "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer"),
        (
            &[b"hz", b"50", b"timeout", b"abc"],
            "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer",
        ),
        (&[b"hz", b"-5"], "ERR CONFIG SET failed (possibly related to argument 'hz') - argument must be between 0 and 2147483647 inclusive"),
        (&[b"hz", b"5", b"HZ", b"6"], "ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter"),
        (&[b"hz", b"50", b"databases", b"3"], "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"),
        (&[b"daemonize", b"no"], "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"),
        (&[b"appendonly", b"maybe"], "ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'"),
        (&[b"maxmemory", b"abc"], "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"),
        (&[b"hz", b"50", b"timeout"], "ERR syntax error"),
    ];
    for (pairs, expected) in cases {
        let mut request: Vec<&[u8]> = vec![b"CONFIG", b"SET"];
        request.extend_from_slice(pairs);
        assert_eq!(c.cmd(&request), error(expected), "CONFIG SET {pairs:?}");
        assert_eq!(hz(&mut c), hz_is("21"), "nothing changed after {pairs:?}");
    }
    assert_eq!(
        c.cmd(&[b"CONFIG", b"SET", b"hz"]),
        error("ERR wrong number of arguments for 'config|set' command")
    );
    assert_eq!(
        c.cmd(&[b"CONFIG", b"SET", b"maxmemory", b"1mb"]),
        b"+OK\r\n"
    );
    assert_eq!(
        c.cmd(&[b"CONFIG", b"GET", b"maxmemory"]),
        b"*2\r\n$9\r\nmaxmemory\r\n$7\r\n1048576\r\n"
    );
    assert_eq!(info(&mut c, &["memory"]).1["maxmemory_human"], "1.00M");
    assert_eq!(c.cmd(&[b"CONFIG", b"SET", b"save", b"100 1"]), b"+OK\r\n");
    assert_eq!(
        c.cmd(&[b"CONFIG", b"GET", b"save"]),
        b"*2\r\n$4\r\nsave\r\n$5\r\n100 1\r\n"
    );
    assert_eq!(info(&mut c, &["server"]).1["hz"], "21");
}

#[test]
fn config_help() {
    let server = TestServer::start();
    let mut c = server.raw();
    let expected = "*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET <pattern>\r\n\
        +    Return parameters matching the glob-like <pattern> and their values.\r\n+SET <directive> <value>\r\n\
        +    Set the configuration <directive> to <value>.\r\n+RESETSTAT\r\n+    Reset statistics reported by the INFO command.\r\n\
        +REWRITE\r\n+    Rewrite the configuration file.\r\n+HELP\r\n+    Prints this help.\r\n";
    assert_eq!(
        String::from_utf8(c.cmd(&[b"CONFIG", b"HELP"])).unwrap(),
        expected
    );
}

#[test]
fn shutdown_errors_then_shutdown() {
    let server = TestServer::start();
    let mut c = server.raw();
    assert_eq!(
        c.cmd(&[b"SHUTDOWN", b"ABORT"]),
        error("ERR No shutdown in progress.")
    );
    for bad in [
        &[&b"SHUTDOWN"[..], b"FOO"][..],
        &[b"SHUTDOWN", b"NOSAVE", b"SAVE"],
        &[b"SHUTDOWN", b"NOW", b"ABORT"],
    ] {
        assert_eq!(c.cmd(bad), error("ERR syntax error"));
    }
    assert_eq!(c.cmd(&[b"PING"]), b"+PONG\r\n");
    c.send(&common::encode(&[b"SHUTDOWN", b"NOSAVE", b"NOW", b"FORCE"]));
    assert!(c.is_closed(), "the connection closes without a reply");
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        std::net::TcpStream::connect(server.addr).is_err(),
        "the server is gone"
    );
}
