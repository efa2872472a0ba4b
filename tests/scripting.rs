//! Lua scripting against the real binary: what needs more than one connection or a
//! clock (BUSY, SCRIPT KILL, FUNCTION KILL, UNKILLABLE, SHUTDOWN NOSAVE), bounded
//! memory, and the effects of writes made inside scripts on other clients (WATCH,
//! blocked clients, keyspace notifications). Replies are asserted byte for byte.

mod common;

use std::thread::sleep;
use std::time::Duration;

use common::TestServer;

const BUSY_EVAL: &[u8] =
    b"-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n";
const BUSY_FUNCTION: &[u8] =
    b"-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n";

/// A server whose scripts count as busy after 50 ms.
fn busy_server() -> TestServer {
    TestServer::start_with(&["--busy-reply-threshold", "50"])
}

#[test]
fn a_busy_script_answers_busy_then_dies_by_script_kill() {
    let server = busy_server();
    let mut runner = server.raw();
    let mut other = server.raw();
    runner.send_cmd(&[b"EVAL", b"while true do end", b"0"]);
    sleep(Duration::from_millis(200));
    assert_eq!(other.cmd(&[b"PING"]), BUSY_EVAL);
    assert_eq!(other.cmd(&[b"FUNCTION", b"KILL"]), BUSY_EVAL);
    assert_eq!(other.cmd(&[b"SCRIPT", b"KILL"]), b"+OK\r\n");
    let reply = runner.read_reply();
    assert!(
        reply.starts_with(b"-ERR Script killed by user with SCRIPT KILL... script: "),
        "{}",
        String::from_utf8_lossy(&reply)
    );
    assert_eq!(other.cmd(&[b"PING"]), b"+PONG\r\n");
    assert_eq!(runner.cmd(&[b"PING"]), b"+PONG\r\n");
}

#[test]
fn pcall_cannot_swallow_a_kill() {
    let server = busy_server();
    let mut runner = server.raw();
    let mut other = server.raw();
    let script = b"while true do pcall(function() while true do end end) end";
    runner.send_cmd(&[b"EVAL", script, b"0"]);
    sleep(Duration::from_millis(200));
    assert_eq!(other.cmd(&[b"SCRIPT", b"KILL"]), b"+OK\r\n");
    assert!(runner
        .read_reply()
        .starts_with(b"-ERR Script killed by user"));
}

#[test]
fn a_script_that_wrote_is_unkillable_and_shutdown_nosave_stops_the_server() {
    let server = busy_server();
    let mut runner = server.raw();
    let mut other = server.raw();
    runner.send_cmd(&[
        b"EVAL",
        b"redis.call('set', 'k', 'v') while true do end",
        b"0",
    ]);
    sleep(Duration::from_millis(200));
    let reply = other.cmd(&[b"SCRIPT", b"KILL"]);
    assert!(reply.starts_with(b"-UNKILLABLE Sorry the script already executed write commands"));
    other.send_cmd(&[b"SHUTDOWN", b"NOSAVE"]);
    let status = server.terminate();
    assert!(status.success() || status.code().is_some());
}

#[test]
fn a_busy_function_is_killed_by_function_kill() {
    let server = busy_server();
    let mut runner = server.raw();
    let mut other = server.raw();
    let code =
        b"#!lua name=spin\nredis.register_function('spin', function() while true do end end)";
    assert_eq!(runner.cmd(&[b"FUNCTION", b"LOAD", code]), b"$4\r\nspin\r\n");
    runner.send_cmd(&[b"FCALL", b"spin", b"0"]);
    sleep(Duration::from_millis(200));
    assert_eq!(other.cmd(&[b"SCRIPT", b"KILL"]), BUSY_FUNCTION);
    let stats = other.cmd(&[b"FUNCTION", b"STATS"]);
    assert!(stats.starts_with(b"*4\r\n$14\r\nrunning_script\r\n*6\r\n$4\r\nname\r\n$4\r\nspin\r\n"));
    assert_eq!(other.cmd(&[b"FUNCTION", b"KILL"]), b"+OK\r\n");
    assert!(runner
        .read_reply()
        .starts_with(b"-ERR Script killed by user"));
}

#[test]
fn a_pipelined_command_sent_while_busy_runs_after_the_script() {
    let server = busy_server();
    let mut runner = server.raw();
    let mut other = server.raw();
    runner.send_cmd(&[
        b"EVAL",
        b"local i = 0 while i < 3e7 do i = i + 1 end return i",
        b"0",
    ]);
    sleep(Duration::from_millis(100));
    // Half a command read while the script is busy: kept, and completed afterwards.
    other.send(b"*2\r\n$4\r\nECHO\r\n$2\r\nhi");
    assert_eq!(runner.read_reply(), b":30000000\r\n");
    other.send(b"\r\n");
    assert_eq!(other.read_reply(), b"$2\r\nhi\r\n");
}

#[test]
fn a_script_building_a_huge_string_fails_and_the_server_survives() {
    let server = TestServer::start();
    let mut conn = server.raw();
    let reply = conn.cmd(&[b"EVAL", b"return string.rep('x', 1024*1024*1024)", b"0"]);
    assert!(
        reply.starts_with(b"-ERR Error running script "),
        "{}",
        String::from_utf8_lossy(&reply)
    );
    assert!(reply.ends_with(b"not enough memory\r\n"));
    let reply = conn.cmd(&[
        b"EVAL",
        b"local t = {} for i = 1, 1e9 do t[i] = i end",
        b"0",
    ]);
    assert!(reply.ends_with(b"not enough memory\r\n"));
    assert_eq!(conn.cmd(&[b"EVAL", b"return 1", b"0"]), b":1\r\n");
}

#[test]
fn deep_recursion_is_an_error() {
    let server = TestServer::start();
    let mut conn = server.raw();
    let reply = conn.cmd(&[
        b"EVAL",
        b"local function f(n) return f(n + 1) + 1 end return f(1)",
        b"0",
    ]);
    assert!(
        reply.starts_with(b"-ERR user_script:1: stack overflow"),
        "{}",
        String::from_utf8_lossy(&reply)
    );
    assert_eq!(conn.cmd(&[b"PING"]), b"+PONG\r\n");
}

#[test]
fn a_write_inside_a_script_fails_a_watching_transaction() {
    let server = TestServer::start();
    let mut watcher = server.raw();
    let mut writer = server.raw();
    assert_eq!(watcher.cmd(&[b"WATCH", b"k"]), b"+OK\r\n");
    assert_eq!(
        writer.cmd(&[
            b"EVAL",
            b"return redis.call('set', KEYS[1], 'v')",
            b"1",
            b"k"
        ]),
        b"+OK\r\n"
    );
    assert_eq!(watcher.cmd(&[b"MULTI"]), b"+OK\r\n");
    assert_eq!(watcher.cmd(&[b"GET", b"k"]), b"+QUEUED\r\n");
    assert_eq!(watcher.cmd(&[b"EXEC"]), b"*-1\r\n");
}

#[test]
fn a_push_inside_a_script_wakes_a_blocked_client() {
    let server = TestServer::start();
    let mut blocked = server.raw();
    let mut writer = server.raw();
    blocked.send_cmd(&[b"BLPOP", b"q", b"0"]);
    sleep(Duration::from_millis(50));
    assert_eq!(
        writer.cmd(&[b"EVAL", b"return redis.call('rpush', 'q', 'x')", b"0"]),
        b":1\r\n"
    );
    assert_eq!(blocked.read_reply(), b"*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
}

#[test]
fn writes_inside_a_script_fire_keyspace_notifications() {
    let server = TestServer::start();
    let mut sub = server.raw();
    let mut writer = server.raw();
    assert_eq!(
        writer.cmd(&[b"CONFIG", b"SET", b"notify-keyspace-events", b"KA"]),
        b"+OK\r\n"
    );
    sub.cmd(&[b"SUBSCRIBE", b"__keyspace@0__:k"]);
    writer.cmd(&[b"EVAL", b"return redis.call('set', 'k', 'v')", b"0"]);
    assert_eq!(
        sub.read_reply(),
        b"*3\r\n$7\r\nmessage\r\n$16\r\n__keyspace@0__:k\r\n$3\r\nset\r\n"
    );
}

#[test]
fn commands_called_from_scripts_count_in_commandstats() {
    let server = TestServer::start();
    let mut conn = server.raw();
    conn.cmd(&[
        b"EVAL",
        b"redis.call('set', 'a', 1) redis.call('set', 'b', 2)",
        b"0",
    ]);
    let info = conn.cmd(&[b"INFO", b"commandstats"]);
    let text = String::from_utf8_lossy(&info);
    assert!(text.contains("cmdstat_set:calls=2,"), "{text}");
    assert!(text.contains("cmdstat_eval:calls=1,"), "{text}");
    let memory = String::from_utf8_lossy(&conn.cmd(&[b"INFO", b"memory"])).into_owned();
    assert!(
        memory.contains("number_of_cached_scripts:1\r\n"),
        "{memory}"
    );
}

/// A script that spins until killed, sent from `runner` (busy after 50 ms).
fn spin(runner: &mut common::RawConn) {
    runner.send_cmd(&[b"EVAL", b"while true do end", b"0"]);
    sleep(Duration::from_millis(200));
}

/// Sends `signal` (`-TERM`, `-INT`) to the server.
fn signal(server: &TestServer, signal: &str) {
    let status = std::process::Command::new("kill")
        .arg(signal)
        .arg(server.pid().to_string())
        .status()
        .expect("kill");
    assert!(status.success());
}

#[test]
fn a_connection_opened_while_a_script_is_busy_is_accepted_and_answered() {
    let server = busy_server();
    let mut runner = server.raw();
    spin(&mut runner);
    let mut late = server.raw();
    assert_eq!(late.cmd(&[b"SELECT", b"9"]), BUSY_EVAL);
    assert_eq!(late.cmd(&[b"SCRIPT", b"KILL"]), b"+OK\r\n");
    assert!(runner
        .read_reply()
        .starts_with(b"-ERR Script killed by user"));
    assert_eq!(late.cmd(&[b"PING"]), b"+PONG\r\n");
    let id = late.cmd(&[b"CLIENT", b"ID"]);
    assert_eq!(id, b":2\r\n", "{}", String::from_utf8_lossy(&id));
}

#[test]
fn a_command_refused_busy_inside_multi_dooms_the_transaction() {
    let server = busy_server();
    let mut runner = server.raw();
    let mut other = server.raw();
    other.cmd(&[b"SET", b"xx", b"1"]);
    spin(&mut runner);
    // MULTI may run while busy (allow-busy); INCR is refused and flags the transaction.
    assert_eq!(other.cmd(&[b"MULTI"]), b"+OK\r\n");
    assert_eq!(other.cmd(&[b"INCR", b"xx"]), BUSY_EVAL);
    // SCRIPT KILL would be queued too: another client sends it.
    assert_eq!(server.raw().cmd(&[b"SCRIPT", b"KILL"]), b"+OK\r\n");
    assert!(runner
        .read_reply()
        .starts_with(b"-ERR Script killed by user"));
    assert_eq!(other.cmd(&[b"INCR", b"xx"]), b"+QUEUED\r\n");
    assert_eq!(
        other.cmd(&[b"EXEC"]),
        b"-EXECABORT Transaction discarded because of previous errors.\r\n"
    );
    assert_eq!(other.cmd(&[b"GET", b"xx"]), b"$1\r\n1\r\n");
}

#[test]
fn exec_refused_busy_discards_the_transaction() {
    let server = busy_server();
    let mut runner = server.raw();
    let mut other = server.raw();
    other.cmd(&[b"SET", b"xx", b"1"]);
    assert_eq!(other.cmd(&[b"MULTI"]), b"+OK\r\n");
    assert_eq!(other.cmd(&[b"INCR", b"xx"]), b"+QUEUED\r\n");
    spin(&mut runner);
    let mut expected = b"-EXECABORT Transaction discarded because of: ".to_vec();
    expected.extend_from_slice(&BUSY_EVAL[1..]);
    assert_eq!(other.cmd(&[b"EXEC"]), expected);
    assert_eq!(other.cmd(&[b"SCRIPT", b"KILL"]), b"+OK\r\n");
    assert!(runner
        .read_reply()
        .starts_with(b"-ERR Script killed by user"));
    assert_eq!(other.cmd(&[b"PING", b"asdf"]), b"$4\r\nasdf\r\n");
    assert_eq!(other.cmd(&[b"GET", b"xx"]), b"$1\r\n1\r\n");
}

#[test]
fn function_stats_and_shutdown_without_nosave_answer_busy_during_an_eval() {
    let server = busy_server();
    let mut runner = server.raw();
    let mut other = server.raw();
    spin(&mut runner);
    assert_eq!(other.cmd(&[b"FUNCTION", b"STATS"]), BUSY_EVAL);
    assert_eq!(other.cmd(&[b"SHUTDOWN"]), BUSY_EVAL);
    assert_eq!(
        other.cmd(&[b"ECHO"]),
        b"-ERR wrong number of arguments for 'echo' command\r\n"
    );
    assert_eq!(other.cmd(&[b"SCRIPT", b"KILL"]), b"+OK\r\n");
    assert!(runner
        .read_reply()
        .starts_with(b"-ERR Script killed by user"));
    assert_eq!(
        other.cmd(&[b"SCRIPT", b"KILL"]),
        b"-NOTBUSY No scripts in execution right now.\r\n"
    );
}

#[test]
fn sigterm_during_a_busy_script_stops_the_server_once_the_script_ends() {
    let server = busy_server();
    let mut runner = server.raw();
    let mut other = server.raw();
    spin(&mut runner);
    signal(&server, "-TERM");
    sleep(Duration::from_millis(100));
    assert_eq!(other.cmd(&[b"PING"]), BUSY_EVAL);
    assert_eq!(other.cmd(&[b"SCRIPT", b"KILL"]), b"+OK\r\n");
    sleep(Duration::from_millis(300));
    assert!(other.is_closed());
}

#[test]
fn a_second_sigint_during_a_busy_script_exits_at_once() {
    let server = busy_server();
    let mut runner = server.raw();
    let mut other = server.raw();
    spin(&mut runner);
    signal(&server, "-INT");
    sleep(Duration::from_millis(100));
    assert_eq!(other.cmd(&[b"PING"]), BUSY_EVAL);
    signal(&server, "-INT");
    sleep(Duration::from_millis(300));
    assert!(other.is_closed());
}

#[test]
fn client_pause_write_lets_no_writes_scripts_through_and_holds_the_rest() {
    let server = TestServer::start();
    let mut admin = server.raw();
    let mut worker = server.raw();
    worker.cmd(&[b"PFADD", b"hll", b"a"]);
    assert_eq!(
        admin.cmd(&[b"CLIENT", b"PAUSE", b"10000", b"WRITE"]),
        b"+OK\r\n"
    );
    let ro = b"#!lua flags=no-writes\nreturn 12";
    assert_eq!(worker.cmd(&[b"EVAL", ro, b"0"]), b":12\r\n");
    assert_eq!(worker.cmd(&[b"EVAL_RO", b"return 13", b"0"]), b":13\r\n");
    assert_eq!(worker.cmd(&[b"MULTI"]), b"+OK\r\n");
    assert_eq!(worker.cmd(&[b"EVAL", ro, b"0"]), b"+QUEUED\r\n");
    assert_eq!(worker.cmd(&[b"EXEC"]), b"*1\r\n:12\r\n");
    // A script without flags, PFCOUNT and PUBLISH may replicate: held until UNPAUSE.
    for held in [
        &[&b"EVAL"[..], b"return 1", b"0"][..],
        &[b"PFCOUNT", b"hll"],
        &[b"PUBLISH", b"ch", b"m"],
    ] {
        let mut client = server.raw();
        client.send_cmd(held);
        assert!(nothing_arrives(&mut client), "{:?} was not held", held[0]);
        assert_eq!(admin.cmd(&[b"CLIENT", b"UNPAUSE"]), b"+OK\r\n");
        assert!(matches!(
            client.read_reply().as_slice(),
            b":1\r\n" | b":0\r\n"
        ));
        let info = admin.cmd(&[b"CLIENT", b"PAUSE", b"10000", b"WRITE"]);
        assert_eq!(info, b"+OK\r\n");
    }
    assert_eq!(admin.cmd(&[b"CLIENT", b"UNPAUSE"]), b"+OK\r\n");
}

/// True if no byte arrives on `conn` within 100 ms.
fn nothing_arrives(conn: &mut common::RawConn) -> bool {
    let stream = &mut conn.stream;
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .expect("timeout");
    let mut byte = [0u8; 1];
    let quiet = stream.peek(&mut byte).is_err();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    quiet
}

/// The value of `field` in INFO `section`.
fn info_field(conn: &mut common::RawConn, section: &[u8], field: &str) -> u64 {
    let info = conn.cmd(&[b"INFO", section]);
    let text = String::from_utf8_lossy(&info).into_owned();
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{field}:")))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} missing in {text}"))
}

#[test]
fn used_memory_lua_is_what_the_vm_holds_in_whole_kilobytes() {
    let server = TestServer::start();
    let mut conn = server.raw();
    assert_eq!(info_field(&mut conn, b"memory", "used_memory_lua"), 0);
    conn.cmd(&[b"SCRIPT", b"LOAD", b"return 1"]);
    let empty = info_field(&mut conn, b"memory", "used_memory_lua");
    assert_eq!(empty % 1024, 0);
    assert!((16 * 1024..100 * 1024).contains(&empty), "{empty}");
    // Many runs leave no lasting garbage (the collector steps every 50 runs).
    for _ in 0..10000 {
        conn.send_cmd(&[b"EVAL", b"return redis.call('incr', KEYS[1])", b"1", b"x"]);
    }
    for i in 1..=10000 {
        assert_eq!(conn.read_reply(), format!(":{i}\r\n").into_bytes());
    }
    let after = info_field(&mut conn, b"memory", "used_memory_lua");
    assert!(after < 100 * 1024, "{after}");
    assert_eq!(
        info_field(&mut conn, b"memory", "used_memory_vm_functions"),
        0
    );
}

#[test]
fn script_errors_count_once_and_fail_the_call_as_in_redis() {
    let server = TestServer::start();
    let mut conn = server.raw();
    conn.cmd(&[b"SET", b"s", b"a"]);
    conn.cmd(&[b"CONFIG", b"RESETSTAT"]);
    for script in [
        &b"return redis.pcall('nosuch')"[..],
        b"return redis.call('nosuch')",
        b"return redis.error_reply('x')",
        b"return redis.call('incr', 's')",
        b"return redis.pcall('incr', 's')",
        b"return nosuchglobal",
    ] {
        assert_eq!(conn.cmd(&[b"EVAL", script, b"0"])[0], b'-');
    }
    assert_eq!(info_field(&mut conn, b"stats", "total_error_replies"), 6);
    let stats = String::from_utf8_lossy(&conn.cmd(&[b"INFO", b"commandstats"])).into_owned();
    assert!(stats.contains("cmdstat_eval:calls=6,"), "{stats}");
    assert!(
        stats.contains("rejected_calls=0,failed_calls=6\r\n"),
        "{stats}"
    );
    assert!(stats.contains("cmdstat_incr:calls=2,"), "{stats}");
    let errors = String::from_utf8_lossy(&conn.cmd(&[b"INFO", b"errorstats"])).into_owned();
    assert!(errors.contains("errorstat_ERR:count=6\r\n"), "{errors}");
}

#[test]
fn a_failing_disk_refuses_scripts_that_write_with_misconf() {
    let dir = std::env::temp_dir().join(format!("rredis-script-misconf-{}", std::process::id()));
    let gone = dir.join("gone");
    std::fs::create_dir_all(&gone).expect("mkdir");
    let dir_arg = dir.to_str().expect("utf-8");
    let server = TestServer::start_with(&["--dir", dir_arg, "--enable-protected-configs", "yes"]);
    let mut conn = server.raw();
    let gone_arg = gone.to_str().expect("utf-8").as_bytes();
    assert_eq!(conn.cmd(&[b"CONFIG", b"SET", b"dir", gone_arg]), b"+OK\r\n");
    std::fs::remove_dir_all(&gone).expect("rmdir");
    assert_eq!(conn.cmd(&[b"BGSAVE"]), b"+Background saving started\r\n");
    while info_field(&mut conn, b"persistence", "rdb_bgsave_in_progress") != 0 {
        sleep(Duration::from_millis(20));
    }
    // A script declaring writes is a write command: refused before it runs, as Redis's
    // processCommand judges it by the flags the script declares.
    let misconf: &[u8] = b"-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify";
    let declared = conn.cmd(&[b"EVAL", b"#!lua\nreturn 1", b"0"]);
    assert!(
        declared.starts_with(misconf),
        "{}",
        String::from_utf8_lossy(&declared)
    );
    let ro = b"#!lua flags=no-writes\nreturn redis.call('get', 'k')";
    assert_eq!(conn.cmd(&[b"EVAL", ro, b"0"]), b"$-1\r\n");
    // A script without flags is refused at its first write.
    let refused = conn.cmd(&[b"EVAL", b"return redis.pcall('set', 'k', 'v')", b"0"]);
    assert!(
        refused.starts_with(misconf),
        "{}",
        String::from_utf8_lossy(&refused)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
