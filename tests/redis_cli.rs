//! redis-cli's modes against our server: the tools operators point at Redis must work
//! here too. Each test runs the real `redis-cli` (installed by `tests/run-all.sh`);
//! modes that run until stopped are read line by line and then stopped by the child
//! handle this test started.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::TestServer;

/// `redis-cli -p PORT args...` run to completion.
fn cli(server: &TestServer, args: &[&str]) -> Output {
    Command::new("redis-cli")
        .arg("-p")
        .arg(server.addr.port().to_string())
        .args(args)
        .output()
        .expect("redis-cli must be installed (tests/run-all.sh installs it)")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A redis-cli mode that runs until stopped, with unbuffered output.
fn spawn_cli(server: &TestServer, args: &[&str]) -> Child {
    Command::new("stdbuf")
        .arg("-o0")
        .arg("redis-cli")
        .arg("-p")
        .arg(server.addr.port().to_string())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn redis-cli")
}

/// Reads `count` lines from a running mode, then stops it.
fn first_lines(mut child: Child, count: usize) -> Vec<String> {
    let stdout = child.stdout.take().expect("piped stdout");
    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .take(count)
        .map_while(Result::ok)
        .collect();
    let _ = child.kill();
    let _ = child.wait();
    lines
}

fn load_sample_data(server: &TestServer) {
    let mut conn = server.raw();
    for i in 0..30 {
        let key = format!("user:{i}");
        conn.cmd(&[b"SET", key.as_bytes(), b"x"]);
    }
    conn.cmd(&[b"SET", b"big-string", b"0123456789"]);
    conn.cmd(&[b"RPUSH", b"queue", b"a", b"b", b"c", b"d"]);
    conn.cmd(&[b"HSET", b"profile", b"f1", b"v", b"f2", b"v"]);
    conn.cmd(&[b"SADD", b"tags", b"1", b"2", b"3"]);
    conn.cmd(&[b"ZADD", b"board", b"1", b"a"]);
}

#[test]
fn scan_with_pattern_lists_every_matching_key() {
    let server = TestServer::start();
    load_sample_data(&server);
    let out = cli(&server, &["--scan", "--pattern", "user:1*"]);
    let mut keys: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    keys.sort();
    let mut expected: Vec<String> = (0..30)
        .map(|i| format!("user:{i}"))
        .filter(|k| k.starts_with("user:1"))
        .collect();
    expected.sort();
    assert_eq!(keys, expected);
}

#[test]
fn bigkeys_finds_the_biggest_key_of_each_type() {
    let server = TestServer::start();
    load_sample_data(&server);
    let report = stdout(&cli(&server, &["--bigkeys"]));
    for line in [
        "Sampled 35 keys in the keyspace!",
        "Biggest string found '\"big-string\"' has 10 bytes",
        "Biggest   list found '\"queue\"' has 4 items",
        "Biggest   hash found '\"profile\"' has 2 fields",
        "Biggest    set found '\"tags\"' has 3 members",
        "Biggest   zset found '\"board\"' has 1 members",
    ] {
        assert!(report.contains(line), "missing {line:?} in:\n{report}");
    }
}

#[test]
fn memkeys_reports_a_size_for_every_type() {
    let server = TestServer::start();
    load_sample_data(&server);
    let report = stdout(&cli(&server, &["--memkeys"]));
    assert!(
        report.contains("Sampled 35 keys in the keyspace!"),
        "{report}"
    );
    for kind in ["string", "list", "hash", "set", "zset"] {
        let line = report
            .lines()
            .find(|line| line.starts_with(&format!("Biggest {kind:>6} found")))
            .unwrap_or_else(|| panic!("no biggest {kind} in:\n{report}"));
        let bytes: u64 = line
            .rsplit(" has ")
            .next()
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no size in {line:?}"));
        assert!(bytes > 0, "{line}");
    }
}

#[test]
fn repeat_with_interval_runs_the_command_each_time() {
    let server = TestServer::start();
    let out = cli(&server, &["-r", "3", "-i", "0.05", "INCR", "counter"]);
    assert_eq!(stdout(&out), "1\n2\n3\n");
}

#[test]
fn stat_mode_reports_keys_and_clients() {
    let server = TestServer::start();
    load_sample_data(&server);
    let mut idle = server.raw();
    idle.cmd(&[b"PING"]);
    let lines = first_lines(spawn_cli(&server, &["--stat", "-i", "0.1"]), 4);
    assert!(lines[0].starts_with("------- data ------"), "{lines:?}");
    let columns: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(columns[0], "35", "keys column: {lines:?}");
    assert_eq!(columns[2], "2", "clients column: {lines:?}");
    assert_eq!(columns[3], "0", "blocked column: {lines:?}");
}

#[test]
fn latency_history_measures_pings() {
    let server = TestServer::start();
    let started = Instant::now();
    // Without a terminal, redis-cli prints "min max avg samples" after every PING.
    let lines = first_lines(spawn_cli(&server, &["--latency-history", "-i", "1"]), 5);
    let samples: Vec<u64> = lines
        .iter()
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(fields.len(), 4, "{lines:?}");
            assert!(fields[2].parse::<f64>().is_ok(), "{lines:?}");
            fields[3].parse().expect("sample count")
        })
        .collect();
    assert_eq!(samples, [1, 2, 3, 4, 5], "{lines:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn monitor_mode_prints_each_command() {
    let server = TestServer::start();
    let child = spawn_cli(&server, &["MONITOR"]);
    // Give redis-cli time to connect and enter MONITOR before the command runs.
    std::thread::sleep(Duration::from_millis(300));
    let mut conn = server.raw();
    conn.cmd(&[b"SET", b"watched", b"1"]);
    let lines = first_lines(child, 2);
    assert_eq!(lines[0], "OK");
    assert!(lines[1].ends_with("\"SET\" \"watched\" \"1\""), "{lines:?}");
}
