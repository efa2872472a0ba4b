//! Start-up configuration: a redis.conf file and `--directive value` arguments turned
//! into a [`Config`], with redis-server's fatal messages for bad lines.

use super::model::Config;
use super::param::ConfigError;
use super::table::find_param;

impl Config {
    /// Applies one directive (`name` and its arguments). `user` and `rename-command`
    /// lines are kept for the server to apply at start (they need the command table).
    pub fn apply(&mut self, name: &str, args: &[String]) -> Result<(), ConfigError> {
        if name.eq_ignore_ascii_case("user") && !args.is_empty() {
            self.users.push(args.to_vec());
            return Ok(());
        }
        if name.eq_ignore_ascii_case("rename-command") && args.len() == 2 {
            self.renamed_commands
                .push((args[0].clone(), args[1].clone()));
            return Ok(());
        }
        let param = find_param(name)
            .ok_or_else(|| ConfigError("Bad directive or wrong number of arguments".into()))?;
        (param.set)(self, args)
    }

    /// Applies the lines of a redis.conf-style text. On error returns the 1-based line
    /// number, the line, and the reason.
    pub fn apply_text(&mut self, text: &str) -> Result<(), (usize, String, ConfigError)> {
        for (index, line) in text.lines().enumerate() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let words =
                crate::protocol::inline::split_args(trimmed.as_bytes()).ok_or_else(|| {
                    (
                        index + 1,
                        trimmed.to_string(),
                        ConfigError("Unbalanced quotes in configuration line".into()),
                    )
                })?;
            let words: Vec<String> = words
                .iter()
                .map(|w| String::from_utf8_lossy(w).into_owned())
                .collect();
            let Some((name, args)) = words.split_first() else {
                continue;
            };
            let applied = if name.eq_ignore_ascii_case("save") {
                self.apply_save_line(args)
            } else {
                self.apply(name, args)
            };
            applied.map_err(|e| (index + 1, trimmed.to_string(), e))?;
        }
        Ok(())
    }

    /// A `save` line of the configuration: the first one replaces the default save
    /// points, each later one adds its points, and `save ""` clears what is there
    /// (Redis's rule, so a redis.conf with one line per save point keeps them all).
    fn apply_save_line(&mut self, args: &[String]) -> Result<(), ConfigError> {
        let earlier = if self.save_lines_read {
            std::mem::take(&mut self.save)
        } else {
            String::new()
        };
        self.save_lines_read = true;
        let restore = earlier.clone();
        if let Err(e) = self.apply("save", args) {
            self.save = restore;
            return Err(e);
        }
        if !earlier.is_empty() && !self.save.is_empty() {
            self.save = format!("{earlier} {}", self.save);
        }
        Ok(())
    }

    /// Builds the configuration from command-line arguments (after the program name):
    /// an optional config file path first, then `--name value...` directives.
    pub fn from_args(args: &[String]) -> Result<Config, String> {
        let mut config = Config::default();
        let mut rest = args;
        if let Some(first) = args.first().filter(|a| !a.starts_with("--")) {
            let text = std::fs::read_to_string(first)
                .map_err(|e| format!("Fatal error, can't open config file '{first}': {e}"))?;
            // Kept absolute, as Redis keeps it: a `dir` directive changes the working
            // directory before CONFIG REWRITE writes the file back.
            let path = std::path::absolute(first)
                .map_err(|e| format!("Fatal error, can't open config file '{first}': {e}"))?;
            config.config_file = Some(path.to_string_lossy().into_owned());
            config
                .apply_text(&text)
                .map_err(|(line, content, e)| fatal_config(line, &content, &e))?;
            rest = &args[1..];
        }
        let text = directives_text(rest);
        config
            .apply_text(&text)
            .map_err(|(line, content, e)| fatal_config(line, &content, &e))?;
        Ok(config)
    }
}

/// Turns `--port 7000 --save "" --bind a b` into redis.conf lines, as redis-server does.
pub(super) fn directives_text(args: &[String]) -> String {
    let mut text = String::new();
    for arg in args {
        if let Some(name) = arg.strip_prefix("--") {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(name);
        } else {
            text.push(' ');
            text.push_str(&quote(arg));
        }
    }
    text
}

/// Quotes a value so the config line splitter reads it back as one word.
pub(crate) fn quote(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The message redis-server prints before exiting on a bad directive.
pub(super) fn fatal_config(line: usize, content: &str, reason: &ConfigError) -> String {
    format!(
        "\n*** FATAL CONFIG FILE ERROR (Redis {}) ***\nReading the configuration file, at line {line}\n>>> '{content}'\n{reason}",
        crate::REDIS_VERSION
    )
}
