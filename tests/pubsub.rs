//! Pub/sub through a real client library and raw sockets: delivery, patterns, keyspace
//! notifications, and a slow subscriber cut off by the pubsub output buffer limit while
//! everyone else carries on.

mod common;

use std::io::Read;
use std::time::{Duration, Instant};

use common::TestServer;

#[test]
fn subscribers_receive_published_messages() {
    let server = TestServer::start();
    let mut sub_con = server.client();
    let mut pubsub = sub_con.as_pubsub();
    pubsub.subscribe("news").expect("subscribe");
    pubsub.psubscribe("sp*").expect("psubscribe");
    let mut con = server.client();
    let receivers: i64 = redis::cmd("PUBLISH")
        .arg("news")
        .arg("hello")
        .query(&mut con)
        .expect("publish");
    assert_eq!(receivers, 1);
    let receivers: i64 = redis::cmd("PUBLISH")
        .arg("sport")
        .arg("goal")
        .query(&mut con)
        .expect("publish");
    assert_eq!(receivers, 1);
    let first = pubsub.get_message().expect("message");
    assert_eq!(
        (
            first.get_channel_name(),
            first.get_payload::<String>().unwrap().as_str()
        ),
        ("news", "hello")
    );
    let second = pubsub.get_message().expect("pmessage");
    assert_eq!(second.get_pattern::<String>().unwrap(), "sp*");
    assert_eq!(second.get_payload::<String>().unwrap(), "goal");
}

#[test]
fn keyspace_notifications_reach_subscribers() {
    let server = TestServer::start_with(&["--notify-keyspace-events", "KEA"]);
    let mut sub_con = server.client();
    let mut pubsub = sub_con.as_pubsub();
    pubsub.psubscribe("__keyevent@0__:*").expect("psubscribe");
    let mut con = server.client();
    redis::cmd("SET")
        .arg("k")
        .arg("v")
        .arg("PX")
        .arg(1)
        .query::<()>(&mut con)
        .expect("set");
    let mut events = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    pubsub
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    while !events
        .iter()
        .any(|e: &String| e == "__keyevent@0__:expired")
        && Instant::now() < deadline
    {
        if let Ok(msg) = pubsub.get_message() {
            events.push(msg.get_channel_name().to_string());
        }
    }
    assert!(
        events.contains(&"__keyevent@0__:expired".to_string()),
        "got {events:?}"
    );
}

#[test]
fn slow_subscriber_is_cut_off_and_others_continue() {
    let server = TestServer::start_with(&["--client-output-buffer-limit", "pubsub 1mb 0 0"]);
    let mut slow = server.raw();
    slow.stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    assert_eq!(
        slow.cmd(&[b"SUBSCRIBE", b"firehose"]),
        b"*3\r\n$9\r\nsubscribe\r\n$8\r\nfirehose\r\n:1\r\n"
    );
    let mut fast = server.raw();
    assert_eq!(
        fast.cmd(&[b"SUBSCRIBE", b"firehose"]),
        b"*3\r\n$9\r\nsubscribe\r\n$8\r\nfirehose\r\n:1\r\n"
    );
    let mut publisher = server.raw();
    let payload = vec![b'x'; 64 * 1024];
    let mut fast_seen = 0;
    for _ in 0..200 {
        publisher.cmd(&[b"PUBLISH", b"firehose", &payload]);
        let message = fast.read_reply();
        assert!(message.len() > payload.len());
        fast_seen += 1;
    }
    assert_eq!(fast_seen, 200);
    // The slow subscriber never read: its buffer passed 1 MB and the server closed it.
    assert_eq!(
        publisher.cmd(&[b"PUBSUB", b"NUMSUB", b"firehose"]),
        b"*2\r\n$8\r\nfirehose\r\n:1\r\n"
    );
    let mut sink = Vec::new();
    let _ = slow.stream.read_to_end(&mut sink);
    assert!(sink.len() < 200 * payload.len());
}
