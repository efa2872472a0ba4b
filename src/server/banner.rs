//! The start-up banner: what runs, on which port, under which pid, written between
//! binding the listeners and loading the data, where Redis shows its logo. Tools that
//! start servers (Redis's own test harness among them) find the pid by its ` PID: `
//! line, also when loading then fails and the server exits.

use std::io::Write;

use crate::config::Config;

/// Writes the banner when `always-show-logo` is set or the log is a terminal, as Redis
/// decides for its logo: raw lines (no log prefix) to the log file or standard output.
pub fn show(config: &Config, port: u16) {
    // SAFETY: isatty only inspects the descriptor.
    let terminal = config.logfile.is_empty() && unsafe { libc::isatty(1) } == 1;
    if !(config.always_show_logo || terminal) {
        return;
    }
    let text = format!(
        "\n    rredis {} (Redis {} compatible), 64 bit, standalone mode\n    Port: {}\n    PID: {}\n\n",
        crate::RREDIS_VERSION,
        crate::REDIS_VERSION,
        port,
        std::process::id()
    );
    let written = if config.logfile.is_empty() {
        std::io::stdout().lock().write_all(text.as_bytes())
    } else {
        std::fs::OpenOptions::new()
            .append(true)
            .open(&config.logfile)
            .and_then(|mut file| file.write_all(text.as_bytes()))
    };
    if let Err(e) = written {
        log::warn!("Writing the start-up banner: {e}");
    }
}
