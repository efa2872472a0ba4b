//! The job queues and lock libraries users run on Redis, against our server and
//! against redis-server 7.0 in the same test: BullMQ (on ioredis), rq and redis-py's
//! Lock, Celery with Redis as broker and result backend, and redis-py's everyday
//! paths (pipelines, WATCH, pub/sub, scripts, streams, RESP3). Each scenario is a script
//! in `tests/clients/` that prints one line per check; both servers must make it
//! print the same lines, and those lines must be the right answers.
//!
//! The libraries are installed at pinned versions into `target/client-libs/` by
//! `tests/clients/install.sh`, which the README's test command runs first. Without
//! them (a bare `cargo test`), or without redis-server, each test says so and passes.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{RealRedis, TestServer};

/// Longest a scenario may run before it counts as hung.
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(120);

fn libs() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/client-libs");
    let ready = std::fs::read_dir(&dir).ok()?.flatten().any(|entry| {
        entry
            .file_name()
            .to_string_lossy()
            .starts_with("installed-")
    });
    if !ready {
        eprintln!("client libraries not installed (bash tests/clients/install.sh): skipped");
        return None;
    }
    Some(dir)
}

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients")
}

/// A command run in `tests/clients/` with the installed libraries on its paths.
fn command(libs: &Path, program: &str, args: &[&str], port: u16) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(scripts())
        .env("PORT", port.to_string())
        .env("NODE_PATH", libs.join("node/node_modules"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null());
    cmd
}

/// Runs `cmd` to its end (killing it after [`SCENARIO_TIMEOUT`]) and returns its
/// standard output; panics, with its error output, when it fails.
fn output_of(mut cmd: Command, what: &str) -> String {
    let log = common::scratch_dir("client-libs").join("stderr");
    let stderr = std::fs::File::create(&log).expect("stderr file");
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut text).map(|_| text)
    });
    let status = wait_bounded(&mut child, what);
    let text = reader.join().expect("reader").expect("utf-8 output");
    let errors = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        status.success(),
        "{what} failed ({status}):\n{text}\n{errors}"
    );
    text
}

fn wait_bounded(child: &mut Child, what: &str) -> std::process::ExitStatus {
    let deadline = Instant::now() + SCENARIO_TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} hung for {SCENARIO_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs `scenario` (given a port, returns the script's output) against redis-server
/// and against ours, asserts both printed the same, and returns our output.
fn on_both(what: &str, scenario: impl Fn(u16) -> String) -> Option<String> {
    let Some(redis) = RealRedis::start(&common::scratch_dir("client-libs-redis"), &["--save", ""])
    else {
        eprintln!("redis-server not available: {what} skipped");
        return None;
    };
    let theirs = scenario(redis.port);
    let ours = scenario(TestServer::start().addr.port());
    assert_eq!(
        ours, theirs,
        "{what}: our output (left) against redis-server's"
    );
    Some(ours)
}

/// [`on_both`] for a Python script of `tests/clients/` that takes the port as its
/// argument, run by the installed virtual environment.
fn python_on_both(libs: &Path, script: &str) -> Option<String> {
    let python = libs.join("venv/bin/python");
    on_both(script, |port| {
        let port_arg = port.to_string();
        let program = python.to_str().expect("path");
        output_of(command(libs, program, &[script, &port_arg], port), script)
    })
}

fn assert_lines(output: &str, expected: &[&str]) {
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines, expected, "output:\n{output}");
}

#[test]
fn bullmq_queues_retries_delays_flows_and_pauses() {
    let Some(libs) = libs() else { return };
    let Some(output) = on_both("BullMQ", |port| {
        output_of(command(&libs, "node", &["bullmq.js"], port), "bullmq.js")
    }) else {
        return;
    };
    assert_lines(
        &output,
        &[
            r#"counts {"completed":27,"failed":1}"#,
            "sum of results 4386",
            "failed [ 'fails 2 boom' ]",
            "children values [ 2, 4 ]",
            "waited 42",
            "paused true",
            "resumed true",
            r#"after clean {"completed":0}"#,
        ],
    );
}

#[test]
fn rq_jobs_and_redis_py_lock() {
    let Some(libs) = libs() else { return };
    let Some(output) = python_on_both(&libs, "rq_and_lock.py") else {
        return;
    };
    assert_lines(
        &output,
        &[
            "results 380 200",
            "failing JobStatus.FAILED 1",
            "registries 1 21",
            "acquire True True True",
            "rival acquires False",
            "extend True True",
            "reacquire True True",
            "released 0 False",
            "second release LockError",
            "context True False",
            "rival after True True",
        ],
    );
}

#[test]
fn redis_py_pipelines_pubsub_scripts_streams_and_resp3() {
    let Some(libs) = libs() else { return };
    let Some(output) = python_on_both(&libs, "redis_py.py") else {
        return;
    };
    let expected = include_str!("clients/redis_py.expected");
    assert_lines(&output, &expected.lines().collect::<Vec<_>>());
}

/// A Celery worker for the server at `port`, killed (by its pid) when dropped.
struct CeleryWorker(Child);

impl Drop for CeleryWorker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn celery_tasks_groups_chains_chords_and_failures() {
    let Some(libs) = libs() else { return };
    let celery = libs.join("venv/bin/celery");
    let python = libs.join("venv/bin/python");
    let Some(output) = on_both("Celery", |port| {
        let args = ["-A", "celery_app", "worker", "--pool=solo", "-l", "error"];
        let worker = command(&libs, celery.to_str().expect("path"), &args, port)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("celery worker");
        let _worker = CeleryWorker(worker);
        let client = command(
            &libs,
            python.to_str().expect("path"),
            &["celery_client.py"],
            port,
        );
        output_of(client, "celery_client.py")
    }) else {
        return;
    };
    assert_lines(
        &output,
        &[
            "add 5",
            "group [0, 2, 4, 6, 8]",
            "chain 13",
            "chord 10",
            "countdown 10 SUCCESS",
            "failure FAILURE boom",
        ],
    );
}
