//! Shared integration-test support: start the real server binary on an ephemeral port
//! and talk to it through raw sockets or the `redis` crate.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running server, killed (by the pid we started) when dropped.
pub struct TestServer {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl TestServer {
    /// Starts `rredis-server [config-file] --port 0 --bind 127.0.0.1` plus `extra`
    /// directives (a first element not starting with `--` is the config file) and waits
    /// for its "Listening on" log line.
    pub fn start_with(extra: &[&str]) -> TestServer {
        Self::launch(Command::new(env!("CARGO_BIN_EXE_rredis-server")), extra)
    }

    /// Like [`TestServer::start_with`], with the server's address space limited to
    /// `bytes` (`prlimit --as`): an allocation past it fails as it would on a machine
    /// out of memory, so a test can show a command is refused or bounded instead.
    pub fn start_under_limit(bytes: u64, extra: &[&str]) -> TestServer {
        let mut command = Command::new("prlimit");
        command
            .arg(format!("--as={bytes}"))
            .arg("--")
            .arg(env!("CARGO_BIN_EXE_rredis-server"));
        Self::launch(command, extra)
    }

    /// Spawns `command` (the server, possibly behind a launcher that execs it) with
    /// the test arguments, and waits for it to listen.
    fn launch(mut command: Command, extra: &[&str]) -> TestServer {
        // A config file path, if given, must come first, as for redis-server.
        let (file, extra) = match extra.first() {
            Some(first) if !first.starts_with("--") => (Some(*first), &extra[1..]),
            _ => (None, extra),
        };
        let dir = scratch_dir("server");
        let mut child = command
            .args(file)
            .args(["--port", "0", "--bind", "127.0.0.1"])
            .args(["--dir", dir.to_str().expect("utf-8 temp dir")])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start rredis-server");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("server exited before listening")
                .expect("read log");
            if let Some(rest) = line.split("Listening on ").nth(1) {
                break rest.trim().parse().expect("address");
            }
        };
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        TestServer { child, addr }
    }

    /// Starts a server with the default test configuration.
    pub fn start() -> TestServer {
        Self::start_with(&[])
    }

    /// A raw socket connection.
    pub fn raw(&self) -> RawConn {
        let stream = TcpStream::connect(self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        stream.set_nodelay(true).expect("nodelay");
        RawConn { stream }
    }

    /// A `redis` crate connection.
    pub fn client(&self) -> redis::Connection {
        redis::Client::open(format!("redis://{}/", self.addr))
            .expect("client")
            .get_connection()
            .expect("connection")
    }

    /// The server process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        unsafe_kill(self.child.id());
        let status = self.child.wait().expect("wait");
        std::mem::forget(self);
        status
    }
}

/// A fresh directory of this test process's own (the server's `dir`, so its RDB
/// files never meet another test's).
pub fn scratch_dir(what: &str) -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("rredis-{what}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn unsafe_kill(pid: u32) {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status();
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A raw TCP connection that sends bytes and reads exact replies.
pub struct RawConn {
    /// The socket.
    pub stream: TcpStream,
}

impl RawConn {
    /// Sends raw bytes.
    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send");
    }

    /// Sends a command as a RESP multibulk.
    pub fn send_cmd(&mut self, args: &[&[u8]]) {
        self.send(&encode(args));
    }

    /// Reads exactly `n` bytes.
    pub fn read_exact(&mut self, n: usize) -> Vec<u8> {
        let mut buf = vec![0; n];
        self.stream.read_exact(&mut buf).expect("read reply");
        buf
    }

    /// Sends a command and reads one whole reply's raw bytes.
    pub fn cmd(&mut self, args: &[&[u8]]) -> Vec<u8> {
        self.send_cmd(args);
        self.read_reply()
    }

    /// Reads one complete RESP reply (any type, nested) and returns its raw bytes.
    pub fn read_reply(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        self.read_value(&mut out);
        out
    }

    fn read_line(&mut self, out: &mut Vec<u8>) -> Vec<u8> {
        let start = out.len();
        let mut byte = [0u8; 1];
        loop {
            self.stream.read_exact(&mut byte).expect("read line");
            out.push(byte[0]);
            if out.len() >= start + 2 && out.ends_with(b"\r\n") {
                return out[start..out.len() - 2].to_vec();
            }
        }
    }

    fn read_value(&mut self, out: &mut Vec<u8>) {
        let line = self.read_line(out);
        let (kind, rest) = (line[0], &line[1..]);
        let n: i64 = std::str::from_utf8(rest)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        match kind {
            b'$' | b'=' | b'!' if n >= 0 => out.extend(self.read_exact(n as usize + 2)),
            b'*' | b'~' | b'>' => (0..n.max(0)).for_each(|_| self.read_value(out)),
            b'%' | b'|' => (0..2 * n.max(0)).for_each(|_| self.read_value(out)),
            _ => {}
        }
    }

    /// True once the server has closed the connection: EOF (or a reset) within the read
    /// timeout. A timeout means the connection is still open.
    pub fn is_closed(&mut self) -> bool {
        let mut byte = [0u8; 1];
        match self.stream.read(&mut byte) {
            Ok(0) => true,
            Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
            Ok(_) => false,
        }
    }
}

/// Encodes a command as a RESP multibulk.
pub fn encode(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend(format!("${}\r\n", arg.len()).into_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// With the environment variable `var` set to an address, a connection to the real
/// Redis there (flushed first), so a test file can check its own expectations against
/// the reference: `SORT_VERIFY_ADDR=127.0.0.1:6380 cargo test --test sort`.
pub fn reference_conn(var: &str) -> Option<RawConn> {
    let addr = std::env::var(var).ok()?;
    let stream = TcpStream::connect(addr).expect("connect to the reference server");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut conn = RawConn { stream };
    assert_eq!(conn.cmd(&[b"FLUSHALL"]), b"+OK\r\n");
    Some(conn)
}

/// Runs commands in order (arguments split on spaces), asserting each reply's bytes.
pub fn script(conn: &mut RawConn, steps: &[(&str, &str)]) {
    for (command, expected) in steps {
        let args: Vec<&[u8]> = command.split(' ').map(str::as_bytes).collect();
        let reply = conn.cmd(&args);
        assert_eq!(
            String::from_utf8_lossy(&reply),
            *expected,
            "command: {command}"
        );
    }
}

/// A real redis-server 7.0 of a test's own, on a free port in `dir`, killed (by the pid
/// we started) when dropped. `None` when redis-server is not installed.
pub struct RealRedis {
    child: Child,
    /// Its port.
    pub port: u16,
}

impl RealRedis {
    /// Starts `redis-server --port P --dir dir` plus `extra`, retrying a few ports.
    pub fn start(dir: &std::path::Path, extra: &[&str]) -> Option<RealRedis> {
        (0..5).find_map(|_| Self::start_once(dir, extra))
    }

    fn start_once(dir: &std::path::Path, extra: &[&str]) -> Option<RealRedis> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--enable-debug-command", "yes", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut redis = RealRedis { child, port };
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            if redis.child.try_wait().ok()?.is_some() {
                return None;
            }
            // A reset, a half reply or a server still loading its files is retried rather
            // than trusted; only our own pid counts as started.
            match server_pid(port) {
                Some(pid) if pid == redis.child.id() => return Some(redis),
                Some(_) => return None,
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        None
    }

    /// A raw connection.
    pub fn raw(&self) -> RawConn {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        RawConn { stream }
    }
}

/// The `process_id` that whatever listens on `port` reports in INFO, once it has
/// finished loading its files (Redis answers INFO, and even DEBUG DIGEST, while it
/// loads); `None` when nothing answers there with a whole reply yet (refused, reset,
/// timed out, still loading).
fn server_pid(port: u16) -> Option<u32> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream
        .write_all(&encode(&[b"INFO", b"server", b"persistence"]))
        .ok()?;
    let mut text = Vec::new();
    let mut chunk = [0u8; 4096];
    while text.len() < 1 << 16 {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        text.extend_from_slice(&chunk[..n]);
        let reply = String::from_utf8_lossy(&text);
        let field = |name: &str| {
            let (_, rest) = reply.split_once(&format!("\r\n{name}:"))?;
            rest.split_once("\r\n").map(|(value, _)| value.to_string())
        };
        if let (Some(pid), Some(loading)) = (field("process_id"), field("loading")) {
            return (loading == "0").then(|| pid.parse().ok()).flatten();
        }
    }
    None
}

impl Drop for RealRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One field of `INFO <section>` as text; panics when INFO has no such field.
pub fn info_field(conn: &mut RawConn, section: &str, name: &str) -> String {
    let reply = conn.cmd(&[b"INFO", section.as_bytes()]);
    let text = String::from_utf8_lossy(&reply).into_owned();
    let prefix = format!("{name}:");
    text.split("\r\n")
        .find_map(|line| line.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {name} in INFO {section}"))
        .to_string()
}

/// Polls `check` every 10 ms for up to five seconds; true once it held.
pub fn eventually(mut check: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while std::time::Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}
