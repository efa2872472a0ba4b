//! The AOF manifest, as Redis 7.0 keeps it in `appenddirname`: one line per file,
//! `file <name> seq <n> type <b|h|i>`, the base first, then history files, then the
//! incremental files in order. Loading replays the base and then every incremental
//! file; a rewrite replaces the base and retires the incremental files it covers.

use std::fmt::Write as _;

use crate::protocol::inline::{quote_into, split_args};

/// What a file in the manifest holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    /// The base: an RDB preamble (or commands) the increments apply to.
    Base,
    /// A file a rewrite made obsolete, waiting to be deleted.
    History,
    /// Commands appended after the base.
    Incr,
}

impl FileType {
    fn letter(self) -> char {
        match self {
            FileType::Base => 'b',
            FileType::History => 'h',
            FileType::Incr => 'i',
        }
    }
}

/// One file of the AOF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AofFile {
    /// Its name inside the AOF directory.
    pub name: String,
    /// Its sequence number.
    pub seq: u64,
    /// What it holds.
    pub kind: FileType,
}

/// The set of files that make up the AOF.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// The base file, if any.
    pub base: Option<AofFile>,
    /// Files waiting to be deleted.
    pub history: Vec<AofFile>,
    /// Incremental files, oldest first; the last is the one being appended to.
    pub incr: Vec<AofFile>,
    /// Highest base sequence number used.
    pub base_seq: u64,
    /// Highest incremental sequence number used.
    pub incr_seq: u64,
}

/// Longest manifest line Redis reads, newline included.
const MAX_LINE: usize = 1024;

impl Manifest {
    /// Parses a manifest, with Redis's error texts (and the line that failed).
    pub fn parse(text: &str) -> Result<Manifest, String> {
        let mut manifest = Manifest::default();
        let mut lines = 0;
        for line in text.split_inclusive('\n') {
            lines += 1;
            if line.starts_with('#') {
                continue;
            }
            // Redis reads the manifest a line of at most 1 KB at a time, so a longer
            // line, or a last line with no newline, is refused as too long.
            if line.len() > MAX_LINE || !line.ends_with('\n') {
                return Err("The AOF manifest file contains too long line".into());
            }
            let line = line.trim_end_matches(['\r', '\n']);
            let file =
                parse_line(line.trim()).map_err(|e| format!("{e} (line {lines}: '{line}')"))?;
            manifest
                .add(file)
                .map_err(|e| format!("{e} (line {lines}: '{line}')"))?;
        }
        if lines == 0 {
            return Err("Found an empty AOF manifest".into());
        }
        Ok(manifest)
    }

    fn add(&mut self, file: AofFile) -> Result<(), &'static str> {
        match file.kind {
            FileType::Base if self.base.is_some() => {
                return Err("Found duplicate base file information")
            }
            FileType::Base => {
                self.base_seq = file.seq;
                self.base = Some(file);
            }
            FileType::History => self.history.push(file),
            FileType::Incr => {
                if file.seq <= self.incr_seq {
                    return Err("Found a non-monotonic sequence number");
                }
                self.incr_seq = file.seq;
                self.incr.push(file);
            }
        }
        Ok(())
    }

    /// The manifest's text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let files = self.base.iter().chain(&self.history).chain(&self.incr);
        for file in files {
            let _ = writeln!(
                out,
                "file {} seq {} type {}",
                quoted_if_needed(&file.name),
                file.seq,
                file.kind.letter()
            );
        }
        out
    }

    /// Names a new base file (`<prefix>.<seq>.base.rdb` or `.base.aof`) and turns the
    /// current base into history.
    pub fn new_base(&mut self, prefix: &str, rdb_preamble: bool) -> String {
        if let Some(mut old) = self.base.take() {
            old.kind = FileType::History;
            self.history.insert(0, old);
        }
        self.base_seq += 1;
        let suffix = if rdb_preamble { "rdb" } else { "aof" };
        let name = format!("{prefix}.{}.base.{suffix}", self.base_seq);
        self.base = Some(AofFile {
            name: name.clone(),
            seq: self.base_seq,
            kind: FileType::Base,
        });
        name
    }

    /// Names a new incremental file (`<prefix>.<seq>.incr.aof`) and appends it.
    pub fn new_incr(&mut self, prefix: &str) -> String {
        self.incr_seq += 1;
        let name = format!("{prefix}.{}.incr.aof", self.incr_seq);
        self.incr.push(AofFile {
            name: name.clone(),
            seq: self.incr_seq,
            kind: FileType::Incr,
        });
        name
    }

    /// After a rewrite: every incremental file but the last (the one being written)
    /// is covered by the new base and becomes history.
    pub fn retire_rewritten_incr(&mut self) {
        let keep = self.incr.pop();
        for mut file in self.incr.drain(..) {
            file.kind = FileType::History;
            self.history.insert(0, file);
        }
        self.incr.extend(keep);
    }

    /// After a rewrite made while the AOF is off: every incremental file is covered
    /// by the new base and becomes history.
    pub fn retire_all_incr(&mut self) {
        for mut file in self.incr.drain(..).rev() {
            file.kind = FileType::History;
            self.history.insert(0, file);
        }
    }

    /// Every file to load, base first.
    pub fn load_order(&self) -> impl Iterator<Item = &AofFile> {
        self.base.iter().chain(&self.incr)
    }
}

/// One `file <name> seq <n> type <t>` line (keys in any order, unknown keys ignored).
/// A file name as the manifest writes it: as it is, or in double quotes with
/// escapes when it holds spaces, quotes, backslashes or unprintable bytes (Redis's
/// sdscatrepr), so that splitting the line reads it back whole.
fn quoted_if_needed(name: &str) -> String {
    let plain = |b: u8| b.is_ascii_graphic() && b != b'\\' && b != b'"';
    if name.bytes().all(plain) {
        return name.to_string();
    }
    let mut out = String::new();
    quote_into(&mut out, name.as_bytes());
    out
}

fn parse_line(line: &str) -> Result<AofFile, &'static str> {
    // Words split as Redis splits them, so a quoted file name may hold spaces.
    let words: Vec<String> = split_args(line.as_bytes())
        .ok_or("Invalid AOF manifest file format")?
        .iter()
        .map(|word| String::from_utf8_lossy(word).into_owned())
        .collect();
    if words.len() < 6 || !words.len().is_multiple_of(2) {
        return Err("Invalid AOF manifest file format");
    }
    let (mut name, mut seq, mut kind) = (None, 0u64, None);
    for pair in words.chunks_exact(2) {
        match pair[0].to_ascii_lowercase().as_str() {
            "file" => {
                if pair[1].contains('/') {
                    return Err("File can't be a path, just a filename");
                }
                name = Some(pair[1].to_string());
            }
            "seq" => seq = pair[1].parse().unwrap_or(0),
            "type" => kind = pair[1].chars().next(),
            _ => {}
        }
    }
    let (Some(name), Some(kind)) = (name, kind) else {
        return Err("Invalid AOF manifest file format");
    };
    if seq == 0 {
        return Err("Invalid AOF manifest file format");
    }
    let kind = match kind {
        'b' => FileType::Base,
        'h' => FileType::History,
        'i' => FileType::Incr,
        _ => return Err("Unknown AOF file type"),
    };
    Ok(AofFile { name, seq, kind })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_spaces_and_escapes_are_quoted_and_read_back() {
        let name = " file seq \n\n.aof .2.base.rdb";
        let manifest = Manifest {
            base: Some(AofFile {
                name: name.to_string(),
                seq: 2,
                kind: FileType::Base,
            }),
            base_seq: 2,
            ..Manifest::default()
        };
        let text = manifest.render();
        assert_eq!(
            text,
            "file \" file seq \\n\\n.aof .2.base.rdb\" seq 2 type b\n"
        );
        let back = Manifest::parse(&text).expect("parse");
        assert_eq!(back.base.map(|f| f.name), Some(name.to_string()));
        assert_eq!(quoted_if_needed("a\"b\\c\x01"), "\"a\\\"b\\\\c\\x01\"");
        assert_eq!(
            quoted_if_needed("appendonly.aof.1.incr.aof"),
            "appendonly.aof.1.incr.aof"
        );
    }

    #[test]
    fn lines_over_a_kilobyte_or_unterminated_are_refused_as_too_long() {
        let line = "file appendonly.aof.1.incr.aof seq 1 type i";
        let long = format!("{line}{}\n", " ".repeat(MAX_LINE - line.len()));
        let too_long = Err("The AOF manifest file contains too long line".to_string());
        assert_eq!(Manifest::parse(&long).map(|m| m.render()), too_long);
        assert_eq!(Manifest::parse(line).map(|m| m.render()), too_long);
        let fits = format!("{line}{}\n", " ".repeat(MAX_LINE - 1 - line.len()));
        assert_eq!(
            Manifest::parse(&fits).map(|m| m.render()),
            Ok(format!("{line}\n"))
        );
    }

    #[test]
    fn a_manifest_round_trips_and_rewrites_retire_increments() {
        let text = "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n";
        let mut m = Manifest::parse(text).expect("parse");
        assert_eq!(m.render(), text);
        assert_eq!(m.new_incr("appendonly.aof"), "appendonly.aof.2.incr.aof");
        assert_eq!(
            m.new_base("appendonly.aof", true),
            "appendonly.aof.2.base.rdb"
        );
        m.retire_rewritten_incr();
        assert_eq!(
            m.render(),
            "file appendonly.aof.2.base.rdb seq 2 type b\n\
             file appendonly.aof.1.incr.aof seq 1 type h\n\
             file appendonly.aof.1.base.rdb seq 1 type h\n\
             file appendonly.aof.2.incr.aof seq 2 type i\n"
        );
    }

    #[test]
    fn bad_manifests_are_refused() {
        assert!(Manifest::parse("").is_err());
        assert!(Manifest::parse("file a seq 1\n").is_err());
        assert!(Manifest::parse("file ../a seq 1 type b\n").is_err());
        assert!(Manifest::parse("file a seq 1 type x\n").is_err());
        let twice = "file a seq 2 type i\nfile b seq 1 type i\n";
        assert!(Manifest::parse(twice)
            .unwrap_err()
            .contains("non-monotonic"));
    }
}
