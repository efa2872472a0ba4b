//! Transactions through a real client library (the `redis` crate's atomic pipelines
//! and its WATCH-based `transaction` helper) and raw sockets.

mod common;

use common::TestServer;

#[test]
fn atomic_pipeline_returns_every_reply() {
    let server = TestServer::start();
    let mut con = server.client();
    let (a, b): (String, i64) = redis::pipe()
        .atomic()
        .set("k", "v")
        .ignore()
        .get("k")
        .incr("n", 5)
        .query(&mut con)
        .expect("exec");
    assert_eq!((a.as_str(), b), ("v", 5));
}

#[test]
fn optimistic_lock_retries_until_it_wins() {
    let server = TestServer::start();
    let mut con = server.client();
    let mut other = server.client();
    redis::cmd("SET")
        .arg("counter")
        .arg(10)
        .query::<()>(&mut con)
        .expect("set");
    let mut attempts = 0;
    let (result,): (i64,) = redis::transaction(&mut con, &["counter"], |con, pipe| {
        attempts += 1;
        let value: i64 = redis::cmd("GET").arg("counter").query(con)?;
        if attempts == 1 {
            // Another client writes between WATCH and EXEC: the first EXEC must fail.
            redis::cmd("SET")
                .arg("counter")
                .arg(100)
                .query::<()>(&mut other)?;
        }
        pipe.set("counter", value + 1)
            .ignore()
            .get("counter")
            .query(con)
    })
    .expect("transaction");
    assert_eq!(attempts, 2);
    assert_eq!(result, 101);
}

#[test]
fn queued_commands_and_execabort_on_raw_socket() {
    let server = TestServer::start();
    let mut c = server.raw();
    assert_eq!(c.cmd(&[b"MULTI"]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"SET", b"a", b"1"]), b"+QUEUED\r\n");
    assert_eq!(
        c.cmd(&[b"GET"]),
        b"-ERR wrong number of arguments for 'get' command\r\n"
    );
    assert_eq!(
        c.cmd(&[b"EXEC"]),
        b"-EXECABORT Transaction discarded because of previous errors.\r\n"
    );
    assert_eq!(c.cmd(&[b"GET", b"a"]), b"$-1\r\n");
}

#[test]
fn watch_is_dropped_when_the_client_disconnects() {
    let server = TestServer::start();
    for _ in 0..100 {
        let mut c = server.raw();
        assert_eq!(c.cmd(&[b"WATCH", b"w"]), b"+OK\r\n");
    }
    let mut c = server.raw();
    assert_eq!(c.cmd(&[b"SET", b"w", b"1"]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"MULTI"]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"GET", b"w"]), b"+QUEUED\r\n");
    assert_eq!(c.cmd(&[b"EXEC"]), b"*1\r\n$1\r\n1\r\n");
}
