//! WATCH of keys that are stored but past their deadline, as Redis 7.0 judges them:
//! their deletion is no change, a SWAPDB that brings a missing or expired key in their
//! place is no change, and a key that expires after WATCH fails the EXEC. The same
//! steps run on our server and on a real redis-server 7.0, and EXEC must answer the
//! same on both.

mod common;

use std::time::Duration;

use common::{scratch_dir, RawConn, RealRedis, TestServer};

/// Runs `steps` (`sleep` pauses 20 ms) and returns the reply of every EXEC.
fn exec_replies(conn: &mut RawConn, steps: &[&str]) -> Vec<Vec<u8>> {
    let mut replies = Vec::new();
    for step in steps {
        if *step == "sleep" {
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        let args: Vec<&[u8]> = step.split(' ').map(str::as_bytes).collect();
        let reply = conn.cmd(&args);
        if step.starts_with("EXEC") {
            replies.push(reply);
        }
    }
    replies
}

const SCENARIOS: &[&[&str]] = &[
    // A missing key replaced by an expired one: no change.
    &[
        "FLUSHALL",
        "DEBUG SET-ACTIVE-EXPIRE 0",
        "SELECT 0",
        "SET x foo PX 1",
        "sleep",
        "SELECT 1",
        "WATCH x",
        "SWAPDB 0 1",
        "MULTI",
        "PING",
        "EXEC",
    ],
    // An expired key replaced by another expired one: no change.
    &[
        "FLUSHALL",
        "SELECT 1",
        "SET x foo PX 1",
        "SELECT 0",
        "SET x bar PX 1",
        "sleep",
        "SELECT 1",
        "WATCH x",
        "SWAPDB 0 1",
        "MULTI",
        "PING",
        "EXEC",
    ],
    // An expired key replaced by a live one: a change.
    &[
        "FLUSHALL",
        "SELECT 1",
        "SET x foo PX 1",
        "SELECT 0",
        "SET x bar",
        "sleep",
        "SELECT 1",
        "WATCH x",
        "SWAPDB 0 1",
        "MULTI",
        "PING",
        "EXEC",
    ],
    // An expired key deleted after WATCH: no change.
    &[
        "FLUSHALL",
        "SELECT 0",
        "SET y v PX 1",
        "sleep",
        "WATCH y",
        "DEL y",
        "MULTI",
        "PING",
        "EXEC",
    ],
    // A live key that expires after WATCH: the EXEC fails.
    &[
        "FLUSHALL",
        "SET z v PX 30",
        "WATCH z",
        "sleep",
        "sleep",
        "MULTI",
        "PING",
        "EXEC",
        "DEBUG SET-ACTIVE-EXPIRE 1",
    ],
];

#[test]
fn watched_expired_keys_are_judged_as_redis_judges_them() {
    let dir = scratch_dir("watch-expired");
    let Some(redis) = RealRedis::start(&dir, &["--save", ""]) else {
        eprintln!("redis-server is not installed: nothing to compare with");
        return;
    };
    let ours = TestServer::start_with(&["--enable-debug-command", "yes"]);
    let (mut mine, mut theirs) = (ours.raw(), redis.raw());
    for (i, steps) in SCENARIOS.iter().enumerate() {
        let expected = exec_replies(&mut theirs, steps);
        let got = exec_replies(&mut mine, steps);
        assert_eq!(got, expected, "scenario {i}");
    }
}
