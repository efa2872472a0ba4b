//! `rredis-server [config-file] [--directive value ...]`: reads the configuration, sets
//! up logging, binds, and runs the reactor until SIGINT/SIGTERM or SHUTDOWN.

use std::io::Write;
use std::process::ExitCode;

use rredis::config::Config;
use rredis::server::Server;

fn usage() -> String {
    "Usage: ./rredis-server [/path/to/redis.conf] [options] [-]\n       \
     ./rredis-server - (read config from stdin)\n       \
     ./rredis-server -v or --version\n       \
     ./rredis-server -h or --help\n\n\
     Examples:\n       \
     ./rredis-server (run the server with default conf)\n       \
     ./rredis-server /etc/redis/6379.conf\n       \
     ./rredis-server --port 7777\n       \
     ./rredis-server --port 7777 --bind 127.0.0.1 ::1\n       \
     ./rredis-server /etc/myredis.conf --loglevel verbose\n"
        .to_string()
}

/// Logs like redis-server: `pid:M 24 Nov 2026 16:55:29.123 * message`.
fn init_logging(config: &Config) -> Result<(), String> {
    let mut builder = env_logger::Builder::new();
    builder.filter_level(config.loglevel.filter());
    builder.format(|buf, record| {
        let mark = match record.level() {
            log::Level::Error | log::Level::Warn => '#',
            log::Level::Info => '*',
            _ => '-',
        };
        writeln!(
            buf,
            "{}:M {} {} {}",
            std::process::id(),
            buf.timestamp_millis(),
            mark,
            record.args()
        )
    });
    if config.logfile.is_empty() {
        builder.target(env_logger::Target::Stdout);
    } else {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&config.logfile)
            .map_err(|e| format!("Can't open the log file: {e}"))?;
        builder.target(env_logger::Target::Pipe(Box::new(file)));
    }
    builder.try_init().map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("-v") | Some("--version") => {
            println!(
                "rredis server v={} redis_compat={} bits=64",
                rredis::RREDIS_VERSION,
                rredis::REDIS_VERSION
            );
            return ExitCode::SUCCESS;
        }
        Some("-h") | Some("--help") => {
            print!("{}", usage());
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    rredis::util::alloc::tune_malloc();
    let config = match Config::from_args(&args) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(message) = init_logging(&config) {
        eprintln!("{message}");
        return ExitCode::FAILURE;
    }
    log::info!(
        "rredis {} (Redis {} compatible) starting, pid={}",
        rredis::RREDIS_VERSION,
        rredis::REDIS_VERSION,
        std::process::id()
    );
    let mut server = match Server::bind(config) {
        Ok(server) => server,
        Err(e) => {
            log::error!("{e}");
            return ExitCode::FAILURE;
        }
    };
    match server.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            log::error!("Event loop failed: {e}");
            ExitCode::FAILURE
        }
    }
}
