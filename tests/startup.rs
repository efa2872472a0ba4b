//! Start-up like redis-server: `--version`, `--help`, a config file plus `--directive`
//! overrides, bad directives stopping start-up with a non-zero exit, listening on IPv6
//! and on a unix socket, and SIGTERM shutting down cleanly.

mod common;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::process::Command;

use common::TestServer;

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rredis-server"))
}

#[test]
fn version_and_help() {
    let out = binary().arg("--version").output().expect("run");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("redis_compat=7.0.15"));
    let out = binary().arg("--help").output().expect("run");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage:"));
}

#[test]
fn bad_directives_stop_start_up() {
    for args in [
        &["--port", "notaport"][..],
        &["--nosuchdirective", "1"],
        &["--maxmemory-policy", "sometimes"],
    ] {
        let out = binary().args(args).output().expect("run");
        assert!(!out.status.success(), "{args:?} started");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("FATAL CONFIG FILE ERROR"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn config_file_with_command_line_overrides() {
    let dir = std::env::temp_dir().join(format!("rredis-startup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("test.conf");
    std::fs::write(
        &path,
        "# a comment\nhz 20\ndatabases 4\nmaxmemory-policy allkeys-lru\n",
    )
    .expect("write");
    let server = TestServer::start_with(&[path.to_str().expect("path"), "--hz", "30"]);
    let mut c = server.raw();
    assert_eq!(
        c.cmd(&[b"CONFIG", b"GET", b"hz"]),
        b"*2\r\n$2\r\nhz\r\n$2\r\n30\r\n"
    );
    assert_eq!(
        c.cmd(&[b"SELECT", b"4"]),
        b"-ERR DB index is out of range\r\n"
    );
    assert_eq!(c.cmd(&[b"CONFIG", b"SET", b"hz", b"40"]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"CONFIG", b"REWRITE"]), b"+OK\r\n");
    let rewritten = std::fs::read_to_string(&path).expect("read");
    assert!(
        rewritten.starts_with("# a comment\nhz 40\ndatabases 4\n"),
        "{rewritten}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn listens_on_ipv6_and_unix_socket() {
    let socket = std::env::temp_dir().join(format!("rredis-{}.sock", std::process::id()));
    let socket_path = socket.to_str().expect("path").to_string();
    let server = TestServer::start_with(&["--unixsocket", &socket_path]);
    let mut unix = UnixStream::connect(&socket).expect("unix connect");
    unix.write_all(b"PING\r\n").expect("write");
    let mut reply = [0u8; 7];
    unix.read_exact(&mut reply).expect("read");
    assert_eq!(&reply, b"+PONG\r\n");
    drop(server);
    let _ = std::fs::remove_file(&socket);

    if std::net::TcpListener::bind("[::1]:0").is_ok() {
        let (mut child, log) = spawn_until_ready(binary().args(["--port", "0", "--bind", "::1"]));
        let addr = listening_address(&log);
        let mut v6 = std::net::TcpStream::connect(&addr).expect("v6 connect");
        v6.write_all(b"PING\r\n").expect("write");
        v6.read_exact(&mut reply).expect("read");
        assert_eq!(&reply, b"+PONG\r\n");
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// A server spawned from `command` with its log piped, and that log read up to "Ready
/// to accept" (all of it if the server exits first).
fn spawn_until_ready(command: &mut Command) -> (std::process::Child, String) {
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut log = Vec::new();
    let mut byte = [0u8; 1];
    while !String::from_utf8_lossy(&log).contains("Ready to accept") {
        if stdout.read(&mut byte).expect("read log") == 0 {
            break;
        }
        log.push(byte[0]);
    }
    (child, String::from_utf8_lossy(&log).to_string())
}

/// The first address the log says the server listens on.
fn listening_address(log: &str) -> String {
    log.split("Listening on ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .expect("address")
        .trim()
        .to_string()
}

/// The start-up log up to "Ready to accept" of a server started with `args` (then
/// stopped by its pid).
fn start_up_log(args: &[&str]) -> String {
    let (mut child, log) = spawn_until_ready(binary().args(args));
    let _ = child.kill();
    let _ = child.wait();
    log
}

#[test]
fn always_show_logo_prints_the_port_and_pid_banner() {
    let base = ["--port", "0", "--bind", "127.0.0.1", "--save", ""];
    let shown = start_up_log(&[&base[..], &["--always-show-logo", "yes"]].concat());
    let pid = shown.split(':').next().expect("pid prefix").trim();
    // Tools that start servers (Redis's own test harness) look for " PID: <pid>".
    assert!(shown.contains(&format!(" PID: {pid}\n")), "{shown}");
    assert!(shown.contains(" Port: "), "{shown}");
    // Not a terminal and not asked for: no banner, as Redis shows no logo.
    let plain = start_up_log(&base);
    assert!(!plain.contains(" PID: "), "{plain}");
    // Shown before the data is loaded, so also by a server that then fails to load.
    let dir = std::env::temp_dir().join(format!("rredis-banner-{}", std::process::id()));
    let aof_dir = dir.join("appendonlydir");
    std::fs::create_dir_all(&aof_dir).expect("dir");
    let manifest = "file appendonly.aof.1.incr.aof seq 1 type i\n";
    std::fs::write(aof_dir.join("appendonly.aof.manifest"), manifest).expect("manifest");
    std::fs::write(
        aof_dir.join("appendonly.aof.1.incr.aof"),
        "*2\r\n$3\r\nfoo\r\n",
    )
    .expect("aof");
    let dir_arg = dir.to_str().expect("path");
    let failed = binary()
        .args([
            "--dir",
            dir_arg,
            "--appendonly",
            "yes",
            "--aof-load-truncated",
            "no",
        ])
        .args([&base[..], &["--always-show-logo", "yes"]].concat())
        .output()
        .expect("run");
    assert!(!failed.status.success());
    let log = String::from_utf8_lossy(&failed.stdout);
    assert!(log.contains(" PID: "), "{log}");
    assert!(log.contains("Unexpected end of file"), "{log}");
    let _ = std::fs::remove_dir_all(&dir);
    let server = TestServer::start_with(&["--always-show-logo", "yes"]);
    let mut c = server.raw();
    assert_eq!(
        c.cmd(&[b"CONFIG", b"GET", b"always-show-logo"]),
        b"*2\r\n$16\r\nalways-show-logo\r\n$3\r\nyes\r\n"
    );
    assert_eq!(
        c.cmd(&[b"CONFIG", b"SET", b"always-show-logo", b"no"]),
        b"-ERR CONFIG SET failed (possibly related to argument 'always-show-logo') - can't set immutable config\r\n"
    );
}

#[test]
fn a_port_in_use_stops_start_up_with_redis_s_message() {
    let first = TestServer::start();
    let port = first.addr.port().to_string();
    let out = binary()
        .args(["--port", &port, "--bind", "127.0.0.1", "--save", ""])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let log = String::from_utf8_lossy(&out.stdout);
    // Tools that start servers (Redis's test harness) retry on another port on this line.
    assert!(
        log.contains(&format!("Failed listening on port {port} (TCP), aborting.")),
        "{log}"
    );
    assert!(
        log.contains("Could not create server TCP listening socket 127.0.0.1:"),
        "{log}"
    );
}

#[test]
fn config_rewrite_finds_a_relative_config_file_after_dir_moved_away() {
    let dir = std::env::temp_dir().join(format!("rredis-relconf-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("data")).expect("dir");
    std::fs::write(dir.join("rel.conf"), "dir data\nhz 20\n").expect("write");
    let (mut child, log) = spawn_until_ready(binary().current_dir(&dir).args([
        "rel.conf",
        "--port",
        "0",
        "--bind",
        "127.0.0.1",
        "--save",
        "",
    ]));
    let addr = listening_address(&log);
    let mut conn = std::net::TcpStream::connect(&addr).expect("connect");
    conn.write_all(b"CONFIG SET hz 30\r\nCONFIG REWRITE\r\n")
        .expect("write");
    let mut reply = [0u8; 10];
    conn.read_exact(&mut reply).expect("read");
    assert_eq!(&reply, b"+OK\r\n+OK\r\n");
    let rewritten = std::fs::read_to_string(dir.join("rel.conf")).expect("read");
    assert!(rewritten.contains("hz 30"), "{rewritten}");
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn save_lines_of_a_config_file_add_up_as_in_redis() {
    let dir = std::env::temp_dir().join(format!("rredis-save-lines-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("save.conf");
    std::fs::write(&path, "save 900 1\nsave 300 10\n").expect("write");
    let conf = path.to_str().expect("path");
    // The first save line replaces the defaults, later ones (the command line's too) add.
    let server = TestServer::start_with(&[conf, "--save", "100 100"]);
    assert_eq!(
        server.raw().cmd(&[b"CONFIG", b"GET", b"save"]),
        b"*2\r\n$4\r\nsave\r\n$20\r\n900 1 300 10 100 100\r\n"
    );
    drop(server);
    // save "" clears what the lines before it set.
    let server = TestServer::start_with(&[conf, "--save", "", "--save", "60 5"]);
    assert_eq!(
        server.raw().cmd(&[b"CONFIG", b"GET", b"save"]),
        b"*2\r\n$4\r\nsave\r\n$4\r\n60 5\r\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
