//! Access control end to end, where the differential corpus (`differential/acl.redis`)
//! cannot reach: protected mode seen from a non-loopback address, the pre-auth protocol
//! limits, users deleted under connected (and blocked) clients, subscribers losing
//! their channels, the ACL file and `user` config lines across restarts, start-up
//! errors, the ACL log's entries, the slow log's redaction, `rename-command`, and AUTH
//! through the `redis` crate.

mod common;

use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::process::Command;
use std::time::Duration;

use common::{scratch_dir, RawConn, TestServer};

/// Runs `line` (arguments split on spaces) and returns the reply as text.
fn run(conn: &mut RawConn, line: &str) -> String {
    let args: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
    String::from_utf8_lossy(&conn.cmd(&args)).into_owned()
}

/// This machine's address on its default route, if it has one besides loopback.
fn outside_address() -> Option<IpAddr> {
    let socket = UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

/// A raw connection to `addr`.
fn connect(addr: SocketAddr) -> RawConn {
    let stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    RawConn { stream }
}

const DENIED: &str = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

#[test]
fn protected_mode_serves_only_loopback_until_a_password_is_set() {
    let Some(ip) = outside_address() else {
        eprintln!("skipped: this machine has no address besides loopback");
        return;
    };
    let server = TestServer::start_with(&["--bind", "127.0.0.1", &ip.to_string()]);
    let remote = SocketAddr::new(ip, server.addr.port());
    let mut local = server.raw();
    assert_eq!(run(&mut local, "PING"), "+PONG\r\n");

    let mut outsider = connect(remote);
    let mut reply = Vec::new();
    std::io::Read::read_to_end(&mut outsider.stream, &mut reply).expect("read until closed");
    assert_eq!(String::from_utf8_lossy(&reply), DENIED);
    let info = run(&mut local, "INFO stats");
    assert!(info.contains("rejected_connections:1\r\n"), "{info}");

    // A password for the default user lifts protected mode (clients must AUTH).
    assert_eq!(run(&mut local, "CONFIG SET requirepass s3cret"), "+OK\r\n");
    let mut outsider = connect(remote);
    assert_eq!(
        run(&mut outsider, "PING"),
        "-NOAUTH Authentication required.\r\n"
    );
    assert_eq!(run(&mut outsider, "AUTH s3cret"), "+OK\r\n");
    assert_eq!(run(&mut outsider, "PING"), "+PONG\r\n");

    // So does turning it off.
    let reply = local.cmd(&[b"CONFIG", b"SET", b"requirepass", b""]);
    assert_eq!(reply, b"+OK\r\n");
    let mut outsider = connect(remote);
    std::io::Read::read_to_end(&mut outsider.stream, &mut Vec::new()).expect("closed");
    assert_eq!(run(&mut local, "CONFIG SET protected-mode no"), "+OK\r\n");
    let mut outsider = connect(remote);
    assert_eq!(run(&mut outsider, "PING"), "+PONG\r\n");
}

#[test]
fn unauthenticated_clients_get_small_protocol_limits() {
    let server = TestServer::start_with(&["--requirepass", "pw"]);
    let mut conn = server.raw();
    conn.send(b"*11\r\n");
    assert_eq!(
        conn.read_reply(),
        b"-ERR Protocol error: unauthenticated multibulk length\r\n"
    );
    assert!(conn.is_closed());
    let mut conn = server.raw();
    conn.send(b"*1\r\n$16385\r\n");
    assert_eq!(
        conn.read_reply(),
        b"-ERR Protocol error: unauthenticated bulk length\r\n"
    );
    assert!(conn.is_closed());
    // Ten arguments of 16 KB are fine before AUTH, and anything after it.
    let mut conn = server.raw();
    let big = vec![b'x'; 16384];
    let reply = conn.cmd(&[b"ECHO", &big]);
    assert_eq!(reply, b"-NOAUTH Authentication required.\r\n");
    assert_eq!(run(&mut conn, "AUTH pw"), "+OK\r\n");
    let bigger = vec![b'y'; 100_000];
    let mut args: Vec<&[u8]> = vec![b"RPUSH", b"l"];
    args.extend(std::iter::repeat_n(&bigger[..], 20));
    assert_eq!(conn.cmd(&args), b":20\r\n");
}

#[test]
fn deleting_a_user_disconnects_its_clients_blocked_ones_too() {
    let server = TestServer::start();
    let mut admin = server.raw();
    assert_eq!(run(&mut admin, "ACL SETUSER u on >pw +@all ~*"), "+OK\r\n");
    let mut idle = server.raw();
    assert_eq!(run(&mut idle, "AUTH u pw"), "+OK\r\n");
    let mut blocked = server.raw();
    assert_eq!(run(&mut blocked, "AUTH u pw"), "+OK\r\n");
    blocked.send_cmd(&[b"BLPOP", b"nothing", b"0"]);
    let mut other = server.raw();
    assert_eq!(run(&mut other, "PING"), "+PONG\r\n");
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(run(&mut admin, "ACL DELUSER u"), ":1\r\n");
    assert!(idle.is_closed());
    assert!(blocked.is_closed());
    assert_eq!(run(&mut other, "PING"), "+PONG\r\n");
    let list = run(&mut admin, "CLIENT LIST");
    assert!(!list.contains("user=u "), "{list}");
    // A user of the same name created again is a new user: old logins are gone.
    assert_eq!(run(&mut admin, "ACL SETUSER u on >pw +@all ~*"), "+OK\r\n");
    assert_eq!(run(&mut admin, "AUTH u pw"), "+OK\r\n");
    let info = run(&mut admin, "CLIENT INFO");
    assert!(info.contains(" user=u "), "{info}");
}

#[test]
fn subscribers_losing_their_channels_are_disconnected() {
    let server = TestServer::start();
    let mut admin = server.raw();
    let rules = "ACL SETUSER s on nopass +@all ~* resetchannels &news.* &sports";
    assert_eq!(run(&mut admin, rules), "+OK\r\n");
    let mut sub = server.raw();
    assert_eq!(run(&mut sub, "AUTH s x"), "+OK\r\n");
    run(&mut sub, "SUBSCRIBE news.today");
    let mut psub = server.raw();
    assert_eq!(run(&mut psub, "AUTH s x"), "+OK\r\n");
    run(&mut psub, "PSUBSCRIBE sports");
    // Adding a channel takes nothing away: nobody is disconnected.
    assert_eq!(run(&mut admin, "ACL SETUSER s &more"), "+OK\r\n");
    assert_eq!(run(&mut admin, "PUBLISH news.today hi"), ":1\r\n");
    sub.read_reply();
    // `news.*` goes: the channel subscriber no longer fits, the pattern one does.
    let rules = "ACL SETUSER s resetchannels &sports &more";
    assert_eq!(run(&mut admin, rules), "+OK\r\n");
    assert!(sub.is_closed());
    assert_eq!(run(&mut admin, "PUBLISH sports x"), ":1\r\n");
    assert_eq!(
        psub.read_reply(),
        b"*4\r\n$8\r\npmessage\r\n$6\r\nsports\r\n$6\r\nsports\r\n$1\r\nx\r\n"
    );
}

/// Starts the server with `aclfile` in a fresh dir holding `text` as that file.
fn with_acl_file(text: &str) -> (TestServer, std::path::PathBuf) {
    let dir = scratch_dir("aclfile");
    let path = dir.join("users.acl");
    std::fs::write(&path, text).expect("write acl file");
    let server = TestServer::start_with(&["--aclfile", path.to_str().expect("utf-8 path")]);
    (server, path)
}

#[test]
fn acl_file_save_and_load_round_trip() {
    let (server, path) =
        with_acl_file("user default on nopass ~* &* +@all\nuser old on nopass +ping\n");
    let mut conn = server.raw();
    assert_eq!(
        run(&mut conn, "ACL USERS"),
        "*2\r\n$7\r\ndefault\r\n$3\r\nold\r\n"
    );
    let mut old = server.raw();
    assert_eq!(run(&mut old, "AUTH old x"), "+OK\r\n");
    let rules = "ACL SETUSER alice on >pw %R~r* &ch -@all +@read (~w* +set)";
    assert_eq!(run(&mut conn, rules), "+OK\r\n");
    assert_eq!(run(&mut conn, "ACL SAVE"), "+OK\r\n");
    let text = std::fs::read_to_string(&path).expect("read acl file");
    let hash = "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4";
    assert_eq!(
        text,
        format!(
            "user alice on #{hash} %R~r* resetchannels &ch -@all +@read (~w* resetchannels -@all +set)\n\
             user default on nopass ~* &* +@all\n\
             user old on nopass resetchannels -@all +ping\n"
        )
    );
    // LOAD replaces every user: clients of the replaced ones are disconnected.
    std::fs::write(&path, format!("{text}user bob on nopass ~b* +get\n")).expect("rewrite");
    assert_eq!(run(&mut conn, "ACL LOAD"), "+OK\r\n");
    assert!(old.is_closed());
    assert_eq!(run(&mut conn, "ACL WHOAMI"), "$7\r\ndefault\r\n");
    assert_eq!(run(&mut conn, "AUTH alice pw"), "+OK\r\n");
    assert_eq!(run(&mut conn, "SET w1 v"), "+OK\r\n");
    assert_eq!(
        run(&mut conn, "SET r1 v"),
        "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n"
    );
    // A broken file changes nothing and says every problem.
    let broken = "user alice on\nuser alice off\nbogus line\nuser carl on +nosuch ~x* ~*\n";
    std::fs::write(&path, broken).expect("break");
    let mut admin = server.raw();
    let file = path.display();
    assert_eq!(
        run(&mut admin, "ACL LOAD"),
        format!(
            "-ERR WARNING: Duplicate user 'alice' found on line 2. {file}:3 should start with user keyword followed by the username. {file}:4: Error in applying operation '+nosuch': Unknown command or category name in ACL. WARNING: ACL errors detected, no change to the previously active ACL rules was performed\r\n"
        )
    );
    assert_eq!(run(&mut admin, "ACL USERS").matches('$').count(), 4);
    std::fs::remove_file(&path).expect("remove");
    let reply = run(&mut admin, "ACL LOAD");
    assert_eq!(
        reply,
        format!("-ERR Error loading ACLs, opening file '{file}': No such file or directory\r\n")
    );
}

#[test]
fn acl_file_without_default_user_gives_a_fresh_default() {
    let (server, _path) = with_acl_file("user alice on nopass ~* +@all\n");
    let mut conn = server.raw();
    assert_eq!(
        run(&mut conn, "ACL LIST"),
        "*2\r\n$43\r\nuser alice on nopass ~* resetchannels +@all\r\n$34\r\nuser default on nopass ~* &* +@all\r\n"
    );
}

/// The server binary's output for arguments that must stop it.
fn failed_start(args: &[&str]) -> String {
    let dir = scratch_dir("acl-start");
    let out = Command::new(env!("CARGO_BIN_EXE_rredis-server"))
        .args([
            "--port",
            "0",
            "--bind",
            "127.0.0.1",
            "--dir",
            dir.to_str().expect("dir"),
        ])
        .args(args)
        .output()
        .expect("run server");
    assert!(!out.status.success(), "{args:?} started");
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn bad_users_stop_start_up() {
    let out = failed_start(&["--user", "foo", "--user", "foo"]);
    assert!(out.contains("Duplicate user"), "{out}");
    let out = failed_start(&["--user", "foo", "on", "bogus"]);
    assert!(out.contains("Syntax error"), "{out}");
    let out = failed_start(&["--user", "foo", "+nosuch"]);
    assert!(
        out.contains("Error loading ACL rule '+nosuch' for the user named 'foo'"),
        "{out}"
    );
    let dir = scratch_dir("acl-both");
    let file = dir.join("u.acl");
    std::fs::write(&file, "user default on nopass ~* &* +@all\n").expect("write");
    let out = failed_start(&["--aclfile", file.to_str().expect("path"), "--user", "x"]);
    assert!(out.contains("please define either an ACL file"), "{out}");
    let out = failed_start(&["--aclfile", "/nonexistent/u.acl"]);
    assert!(
        out.contains("Aborting Redis startup because of ACL errors"),
        "{out}"
    );
}

#[test]
fn config_file_users_survive_config_rewrite() {
    let dir = scratch_dir("acl-conf");
    let conf = dir.join("redis.conf");
    let text = "user default on nopass ~* &* +@all -flushdb\nuser alice on >pw ~a* +get\nrename-command debug \"\"\n";
    std::fs::write(&conf, text).expect("write conf");
    let conf = conf.to_str().expect("path").to_string();
    let server = TestServer::start_with(&[&conf]);
    let mut conn = server.raw();
    assert_eq!(
        run(&mut conn, "FLUSHDB"),
        "-NOPERM this user has no permissions to run the 'flushdb' command\r\n"
    );
    assert_eq!(
        run(&mut conn, "ACL SETUSER carol on nopass +ping"),
        "+OK\r\n"
    );
    assert_eq!(run(&mut conn, "CONFIG REWRITE"), "+OK\r\n");
    let written = std::fs::read_to_string(&conf).expect("read conf");
    assert!(
        written.contains("\nrename-command debug \"\"\n"),
        "{written}"
    );
    let users: Vec<&str> = written.lines().filter(|l| l.starts_with("user ")).collect();
    assert_eq!(users.len(), 3, "{written}");
    assert!(
        users[2].starts_with("user default on nopass sanitize-payload ~* &* +@all -flushdb"),
        "{written}"
    );
    drop(server);
    let server = TestServer::start_with(&[&conf]);
    let mut conn = server.raw();
    assert_eq!(run(&mut conn, "AUTH alice pw"), "+OK\r\n");
    assert_eq!(run(&mut conn, "AUTH carol x"), "+OK\r\n");
    assert_eq!(run(&mut conn, "PING"), "+PONG\r\n");
    assert_eq!(
        run(&mut conn, "DEBUG SLEEP 0"),
        "-ERR unknown command 'DEBUG', with args beginning with: 'SLEEP' '0' \r\n"
    );
}

#[test]
fn rename_command_moves_a_command_and_keeps_its_name_in_errors() {
    let server = TestServer::start_with(&["--rename-command", "get", "fetch"]);
    let mut conn = server.raw();
    assert_eq!(run(&mut conn, "SET k v"), "+OK\r\n");
    assert_eq!(
        run(&mut conn, "GET k"),
        "-ERR unknown command 'GET', with args beginning with: 'k' \r\n"
    );
    assert_eq!(run(&mut conn, "FETCH k"), "$1\r\nv\r\n");
    assert_eq!(
        run(&mut conn, "FETCH"),
        "-ERR wrong number of arguments for 'get' command\r\n"
    );
    // ACL rules name commands by their own names.
    assert_eq!(run(&mut conn, "ACL SETUSER u on nopass +get ~*"), "+OK\r\n");
    assert_eq!(run(&mut conn, "AUTH u x"), "+OK\r\n");
    assert_eq!(run(&mut conn, "FETCH k"), "$1\r\nv\r\n");
}

#[test]
fn acl_log_records_refusals_with_their_context() {
    let server = TestServer::start_with(&["--acllog-max-len", "3"]);
    let mut admin = server.raw();
    let rules = "ACL SETUSER u on >pw +@all -flushall ~k* resetchannels &ch";
    assert_eq!(run(&mut admin, rules), "+OK\r\n");
    let mut conn = server.raw();
    assert_eq!(
        run(&mut conn, "AUTH u wrong"),
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    );
    assert_eq!(run(&mut conn, "AUTH u pw"), "+OK\r\n");
    run(&mut conn, "GET x");
    run(&mut conn, "GET x");
    let log = run(&mut admin, "ACL LOG");
    assert!(log.starts_with("*2\r\n*14\r\n$5\r\ncount\r\n:2\r\n$6\r\nreason\r\n$3\r\nkey\r\n$7\r\ncontext\r\n$8\r\ntoplevel\r\n$6\r\nobject\r\n$1\r\nx\r\n$8\r\nusername\r\n$1\r\nu\r\n$11\r\nage-seconds\r\n"), "{log}");
    assert!(log.contains("cmd=get user=u redir=-1 resp=2"), "{log}");
    assert!(log.contains("$4\r\nauth\r\n$7\r\ncontext\r\n$8\r\ntoplevel\r\n$6\r\nobject\r\n$4\r\nAUTH\r\n$8\r\nusername\r\n$1\r\nu\r\n"), "{log}");
    run(&mut conn, "MULTI");
    run(&mut conn, "FLUSHALL");
    run(&mut conn, "DISCARD");
    conn.cmd(&[b"EVAL", b"return redis.call('publish','other','x')", b"0"]);
    let log = run(&mut admin, "ACL LOG");
    assert!(log.starts_with("*3\r\n"), "{log}");
    assert!(
        log.contains(
            "$7\r\nchannel\r\n$7\r\ncontext\r\n$3\r\nlua\r\n$6\r\nobject\r\n$5\r\nother\r\n"
        ),
        "{log}"
    );
    assert!(
        log.contains(
            "$7\r\ncommand\r\n$7\r\ncontext\r\n$5\r\nmulti\r\n$6\r\nobject\r\n$8\r\nflushall\r\n"
        ),
        "{log}"
    );
    // The caller of the script is the client logged.
    assert!(log.contains("cmd=eval user=u"), "{log}");
    assert!(
        !log.contains("$4\r\nAUTH\r\n"),
        "trimmed to acllog-max-len: {log}"
    );
    assert_eq!(run(&mut admin, "ACL LOG RESET"), "+OK\r\n");
    assert_eq!(run(&mut admin, "ACL LOG"), "*0\r\n");
}

#[test]
fn slow_log_hides_credentials() {
    let server = TestServer::start_with(&["--slowlog-log-slower-than", "0"]);
    let mut conn = server.raw();
    run(&mut conn, "ACL SETUSER u on >secret");
    run(&mut conn, "AUTH u secret");
    run(&mut conn, "AUTH default whatever");
    let log = run(&mut conn, "SLOWLOG GET 3");
    assert!(!log.contains("secret"), "{log}");
    assert!(
        log.contains("$4\r\nAUTH\r\n$10\r\n(redacted)\r\n$10\r\n(redacted)\r\n"),
        "{log}"
    );
    assert!(
        log.contains(
            "$7\r\nSETUSER\r\n$10\r\n(redacted)\r\n$10\r\n(redacted)\r\n$10\r\n(redacted)\r\n"
        ),
        "{log}"
    );
}

#[test]
fn redis_crate_authenticates_with_user_and_password() {
    let server = TestServer::start_with(&["--requirepass", "topsecret"]);
    let port = server.addr.port();
    let url = format!("redis://:topsecret@127.0.0.1:{port}/");
    let mut conn = redis::Client::open(url)
        .expect("url")
        .get_connection()
        .expect("connect");
    let _: () = redis::cmd("ACL")
        .arg(&["SETUSER", "app", "on", ">apppw", "~app:*", "+@all"])
        .query(&mut conn)
        .expect("setuser");
    let url = format!("redis://app:apppw@127.0.0.1:{port}/");
    let mut app = redis::Client::open(url)
        .expect("url")
        .get_connection()
        .expect("connect as app");
    let _: () = redis::cmd("SET")
        .arg("app:1")
        .arg("v")
        .query(&mut app)
        .expect("set");
    let denied: redis::RedisResult<()> = redis::cmd("SET").arg("other").arg("v").query(&mut app);
    let err = denied.expect_err("NOPERM");
    assert_eq!(err.code(), Some("NOPERM"), "{err:?}");
    let url = format!("redis://app:wrong@127.0.0.1:{port}/");
    let refused = redis::Client::open(url).expect("url").get_connection();
    let err = refused.err().expect("wrong password refused");
    assert_eq!(err.kind(), redis::ErrorKind::AuthenticationFailed, "{err}");
}
