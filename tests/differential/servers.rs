//! Starting and talking to the two servers under comparison.
//!
//! Each test gets its own fresh pair: real `redis-server` and ours, each on a free
//! loopback port, each with its own temp dir. They are killed through the `Child`
//! we spawned (never by name) when the `Server` is dropped.
//!
//! Environment switches for "ours":
//! - `DIFF_OURS_BIN=/path` spawns that binary instead of `rredis-server`
//!   (e.g. `/usr/bin/redis-server` to check the harness against itself);
//! - `DIFF_OURS_ARGS="--opt val ..."` appends arguments (split on spaces), handy to
//!   make a deliberately different "ours";
//! - `DIFF_OURS_ADDR=host:port` uses an already running server; tests then take a
//!   global lock so they run one at a time, and each starts with `FLUSHALL`
//!   (`server.redis` ends with `SHUTDOWN NOSAVE`: add `--skip corpus_server`).
//!
//! `DIFF_REDIS_BIN` overrides the reference binary (default `redis-server` on PATH).

use super::resp::{self, Parsed};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long one reply may take before we call it a timeout.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a server may take to accept connections after spawning.
const READY_TIMEOUT: Duration = Duration::from_secs(5);

/// Serialises tests that share one external server (`DIFF_OURS_ADDR`).
static EXTERNAL_LOCK: Mutex<()> = Mutex::new(());
static NEXT_DIR: AtomicUsize = AtomicUsize::new(0);

/// Which of the two servers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Side {
    Redis,
    Ours,
}

/// A running server: either a child we own or an external address.
pub struct Server {
    pub addr: SocketAddr,
    child: Option<Child>,
    dir: Option<PathBuf>,
    _lock: Option<MutexGuard<'static, ()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Both servers, fresh.
pub struct Pair {
    pub redis: Server,
    pub ours: Server,
}

impl Pair {
    /// Starts a fresh reference server and a fresh (or locked external) ours.
    pub fn start() -> Pair {
        Pair::start_with(&[])
    }

    /// [`Pair::start`] with `extra` arguments for both servers (`#@args`; an external
    /// ours is used as it is).
    pub fn start_with(extra: &[String]) -> Pair {
        Pair {
            redis: Server::start_with(Side::Redis, extra),
            ours: Server::start_with(Side::Ours, extra),
        }
    }

    /// The server for `side`.
    pub fn get(&self, side: Side) -> &Server {
        match side {
            Side::Redis => &self.redis,
            Side::Ours => &self.ours,
        }
    }
}

impl Server {
    /// Starts the server for `side`, retrying on another port if startup fails.
    pub fn start(side: Side) -> Server {
        Server::start_with(side, &[])
    }

    /// [`Server::start`] with `extra` arguments after the usual ones.
    pub fn start_with(side: Side, extra: &[String]) -> Server {
        if side == Side::Ours {
            if let Ok(addr) = std::env::var("DIFF_OURS_ADDR") {
                return Server::external(&addr);
            }
        }
        let mut last_err = String::new();
        for _attempt in 0..4 {
            match Server::spawn(side, extra) {
                Ok(server) => return server,
                Err(e) => last_err = e,
            }
        }
        panic!("could not start {side:?} server: {last_err}");
    }

    fn external(addr: &str) -> Server {
        let lock = EXTERNAL_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        let addr: SocketAddr = addr.parse().expect("DIFF_OURS_ADDR must be host:port");
        let server = Server {
            addr,
            child: None,
            dir: None,
            _lock: Some(lock),
        };
        let mut conn = Conn::open(addr).expect("connect to DIFF_OURS_ADDR");
        conn.send(&resp::encode_command(&[b"FLUSHALL".to_vec()]));
        conn.read_reply();
        server
    }

    fn binary_and_args(
        side: Side,
        port: u16,
        dir: &Path,
        extra: &[String],
    ) -> (String, Vec<String>) {
        let mut args: Vec<String> = ["--port", &port.to_string(), "--bind", "127.0.0.1"]
            .iter()
            .map(|s| s.to_string())
            .chain([
                "--save".into(),
                "".into(),
                "--appendonly".into(),
                "no".into(),
            ])
            .collect();
        let bin = match side {
            Side::Redis => {
                args.extend(["--dir".into(), dir.display().to_string()]);
                std::env::var("DIFF_REDIS_BIN").unwrap_or_else(|_| "redis-server".into())
            }
            Side::Ours => {
                if let Ok(from_env) = std::env::var("DIFF_OURS_ARGS") {
                    args.extend(from_env.split_whitespace().map(String::from));
                }
                std::env::var("DIFF_OURS_BIN")
                    .unwrap_or_else(|_| env!("CARGO_BIN_EXE_rredis-server").into())
            }
        };
        args.extend_from_slice(extra);
        (bin, args)
    }

    fn spawn(side: Side, extra: &[String]) -> Result<Server, String> {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!(
            "rredis-diff-{}-{}",
            std::process::id(),
            NEXT_DIR.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let (bin, args) = Server::binary_and_args(side, port, &dir, extra);
        let log = std::fs::File::create(dir.join("log")).map_err(|e| e.to_string())?;
        let child = Command::new(&bin)
            .args(&args)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("spawn {bin}: {e} (the reference is Debian's redis-server 7.0: apt-get install redis-server)"))?;
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let mut server = Server {
            addr,
            child: Some(child),
            dir: Some(dir),
            _lock: None,
        };
        server.wait_ready().map(|_| server)
    }

    /// Connects with retries until PING answers, the child exits, or time runs out.
    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + READY_TIMEOUT;
        while Instant::now() < deadline {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                return Err(format!("exited with {status}; log:\n{}", self.log_tail()));
            }
            if let Some(mut conn) = Conn::open(self.addr) {
                conn.send(b"*1\r\n$4\r\nPING\r\n");
                if conn.read_reply() == Outcome::Reply(b"+PONG\r\n".to_vec()) {
                    return Ok(());
                }
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Err(format!(
            "not ready after {READY_TIMEOUT:?}; log:\n{}",
            self.log_tail()
        ))
    }

    fn log_tail(&self) -> String {
        let path = match &self.dir {
            Some(d) => d.join("log"),
            None => return String::new(),
        };
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    /// Whether our child process has died (a crash shows up as a mismatch too).
    pub fn exited(&mut self) -> Option<String> {
        let status = self.child.as_mut()?.try_wait().ok()??;
        Some(format!(
            "server exited with {status}; log:\n{}",
            self.log_tail()
        ))
    }
}

/// Picks a free loopback port by binding port 0 and dropping the listener.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    listener.local_addr().expect("local addr").port()
}

/// What came back for one command.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// The raw bytes of exactly one reply.
    Reply(Vec<u8>),
    /// The server closed the connection (EOF or reset) before a whole reply.
    Closed,
    /// No complete reply within `REPLY_TIMEOUT`; the connection is then abandoned.
    Timeout,
    /// Bytes that are not RESP.
    Garbage(String),
}

impl Outcome {
    /// A readable rendering for mismatch reports.
    pub fn show(&self) -> String {
        match self {
            Outcome::Reply(bytes) => {
                let text = resp::escape(bytes);
                if text.len() > 1500 {
                    format!("\"{}...\" ({} bytes)", &text[..1500], bytes.len())
                } else {
                    format!("\"{text}\"")
                }
            }
            Outcome::Closed => "<connection closed>".into(),
            Outcome::Timeout => format!("<no reply within {REPLY_TIMEOUT:?}>"),
            Outcome::Garbage(why) => format!("<not RESP: {why}>"),
        }
    }
}

/// One client connection with a read buffer that cuts whole replies.
pub struct Conn {
    stream: Option<TcpStream>,
    buf: Vec<u8>,
}

impl Conn {
    /// Connects to `addr`; None if the connection is refused.
    pub fn open(addr: SocketAddr) -> Option<Conn> {
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
        stream.set_nodelay(true).ok()?;
        stream.set_read_timeout(Some(REPLY_TIMEOUT)).ok()?;
        Some(Conn {
            stream: Some(stream),
            buf: Vec::new(),
        })
    }

    /// Opens a connection, or returns one that reports every command as `Closed`
    /// (a server that refuses connections is a mismatch, not a harness crash).
    pub fn open_or_dead(addr: SocketAddr) -> Conn {
        Conn::open(addr).unwrap_or(Conn {
            stream: None,
            buf: Vec::new(),
        })
    }

    /// Writes bytes; a write error marks the connection closed.
    pub fn send(&mut self, bytes: &[u8]) {
        if let Some(stream) = &mut self.stream {
            if stream.write_all(bytes).is_err() {
                self.stream = None;
            }
        }
    }

    /// Reads exactly one reply (leaving any further bytes buffered).
    pub fn read_reply(&mut self) -> Outcome {
        loop {
            match resp::reply_len(&self.buf) {
                Parsed::Complete(n) => return Outcome::Reply(self.buf.drain(..n).collect()),
                Parsed::Invalid(why) => {
                    self.stream = None;
                    return Outcome::Garbage(why);
                }
                Parsed::Incomplete => {}
            }
            if let Err(outcome) = self.fill() {
                return outcome;
            }
        }
    }

    /// Reads more bytes into the buffer, or says why it cannot.
    fn fill(&mut self) -> Result<(), Outcome> {
        let Some(stream) = &mut self.stream else {
            return Err(Outcome::Closed);
        };
        let mut chunk = [0u8; 65536];
        match stream.read(&mut chunk) {
            Ok(0) => Err(self.abandon(Outcome::Closed)),
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Ok(()),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                Err(self.abandon(Outcome::Timeout))
            }
            Err(_) => Err(self.abandon(Outcome::Closed)),
        }
    }

    /// Drops the stream (its reply stream is out of sync or gone) and returns `why`.
    fn abandon(&mut self, why: Outcome) -> Outcome {
        self.stream = None;
        why
    }

    /// Reads everything until EOF or until nothing arrives for `idle`.
    /// Returns (bytes, closed-by-server).
    pub fn read_all(&mut self, idle: Duration) -> (Vec<u8>, bool) {
        let Some(stream) = &mut self.stream else {
            return (std::mem::take(&mut self.buf), true);
        };
        let _ = stream.set_read_timeout(Some(idle));
        let mut out = std::mem::take(&mut self.buf);
        let mut chunk = [0u8; 65536];
        loop {
            match stream.read(&mut chunk) {
                Ok(0) => return (out, true),
                Ok(n) => out.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return (out, false)
                }
                Err(_) => return (out, true),
            }
        }
    }
}
