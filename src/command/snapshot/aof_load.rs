//! Loading the append-only file: the manifest's base (an RDB file, or commands) and
//! then each incremental file, replayed through the ordinary dispatch by a client of
//! its own whose replies go nowhere, as Redis's fake AOF client does.
//!
//! A file that ends inside a command (a crash mid-write) is truncated back to the last
//! complete command when it is the last file and `aof-load-truncated` is on; anything
//! else that is not a command stops the load with the file's name and offset.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::command::core::command::{CommandTable, Ctx};
use crate::command::core::dispatch;
use crate::command::core::state::ServerState;
use crate::command::state::directory::NoClients;
use crate::command::state::session::Session;
use crate::persistence::aof::commands::{CommandReader, ReadError};
use crate::persistence::aof::manifest::Manifest;
use crate::persistence::atomic_file::os_text;
use crate::protocol::{OutBuf, Reply};
use crate::store::Db;

/// The AOF directory, relative to `dir`.
pub fn aof_dir(server: &ServerState) -> PathBuf {
    PathBuf::from(&server.config.appenddirname)
}

/// The manifest's path.
pub fn manifest_path(server: &ServerState) -> PathBuf {
    aof_dir(server).join(format!("{}.manifest", server.config.appendfilename))
}

/// Reads the manifest; an empty one when the directory or the file does not exist.
pub fn read_manifest(server: &ServerState) -> Result<Manifest, String> {
    let path = manifest_path(server);
    match std::fs::read_to_string(&path) {
        Ok(text) => Manifest::parse(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Manifest::default()),
        Err(e) => Err(format!(
            "Can't open the AOF manifest file {}: {e}",
            path.display()
        )),
    }
}

/// A Redis 6 style single `appendfilename` in `dir`: it becomes the base of a
/// manifest in `appenddirname`, as Redis 7.0 migrates it at start, when there is no
/// manifest yet or when an earlier migration stopped after writing a manifest that
/// names only that file as base but before moving the file.
pub fn upgrade_old_style(server: &ServerState, manifest: &mut Manifest) -> Result<(), String> {
    let name = &server.config.appendfilename;
    let old = PathBuf::from(name);
    if !old.is_file() {
        return Ok(());
    }
    let dir = aof_dir(server);
    let no_manifest = manifest.base.is_none() && manifest.incr.is_empty();
    let interrupted = manifest.incr.is_empty()
        && manifest
            .base
            .as_ref()
            .is_some_and(|base| base.name == *name)
        && !dir.join(name).exists();
    if !no_manifest && !interrupted {
        return Ok(());
    }
    std::fs::create_dir_all(&dir).map_err(|e| {
        format!(
            "Can't open or create append-only dir {}: {e}",
            dir.display()
        )
    })?;
    std::fs::rename(&old, dir.join(&old)).map_err(|e| {
        format!(
            "Error trying to move the old AOF file {} into dir {}: {e}",
            old.display(),
            dir.display()
        )
    })?;
    if manifest.base.is_none() {
        manifest.base = Some(crate::persistence::aof::manifest::AofFile {
            name: name.clone(),
            seq: 1,
            kind: crate::persistence::aof::manifest::FileType::Base,
        });
        manifest.base_seq = 1;
    }
    log::info!(
        "Successfully migrated an old-style AOF file ({}) into the AOF directory ({}).",
        old.display(),
        dir.display()
    );
    Ok(())
}

/// Runs loaded commands through dispatch as a client of its own.
struct Replayer<'a> {
    dbs: &'a mut Vec<Db>,
    server: &'a mut ServerState,
    table: &'a CommandTable,
    session: Session,
    out: OutBuf,
}

impl Replayer<'_> {
    fn run(&mut self, args: &[Bytes]) -> Result<(), String> {
        if self.table.resolve(args).is_err() {
            let name = String::from_utf8_lossy(&args[0]).into_owned();
            return Err(format!(
                "Unknown command '{name}' reading the append only file"
            ));
        }
        let mut ctx = Ctx {
            dbs: self.dbs,
            server: self.server,
            session: &mut self.session,
            reply: Reply::new(&mut self.out, 2),
            table: self.table,
            clients: &mut NoClients,
        };
        dispatch::process(&mut ctx, args);
        self.out.clear();
        Ok(())
    }
}

/// Loads every file of the AOF into the databases. Returns false when there was no
/// AOF to load.
pub fn load(
    dbs: &mut Vec<Db>,
    server: &mut ServerState,
    table: &CommandTable,
    manifest: &Manifest,
) -> Result<bool, String> {
    let files: Vec<String> = manifest.load_order().map(|f| f.name.clone()).collect();
    if files.is_empty() {
        return Ok(false);
    }
    // Every file the manifest names must be there before anything loads (as in
    // Redis): starting on part of the history would serve data that is not the
    // data that was acknowledged.
    let dir = aof_dir(server);
    for name in &files {
        if let Err(e) = std::fs::metadata(dir.join(name)) {
            return Err(format!(
                "Unable to obtain the AOF file {name} length. stat: {}",
                os_text(&e)
            ));
        }
    }
    let started = std::time::Instant::now();
    let recording = std::mem::replace(&mut server.propagation.enabled, false);
    server.loading = true;
    // Nothing expires while the files replay (as in Redis): a command after an expiry
    // that has passed meanwhile still finds the key, as it did when it first ran.
    let expiry: Vec<(bool, bool)> = dbs
        .iter_mut()
        .map(|db| {
            let was = (db.expiry_held, db.expiry_ignored);
            (db.expiry_held, db.expiry_ignored) = (true, true);
            was
        })
        .collect();
    let mut replayer = Replayer {
        dbs,
        server,
        table,
        session: aof_session(),
        out: OutBuf::new(),
    };
    let mut result = Ok(());
    for (index, name) in files.iter().enumerate() {
        let last = index + 1 == files.len();
        result = load_file(&mut replayer, &dir.join(name), last);
        if result.is_err() {
            break;
        }
    }
    replayer.server.propagation.enabled = recording;
    replayer.server.loading = false;
    for (db, (held, ignored)) in replayer.dbs.iter_mut().zip(expiry) {
        (db.expiry_held, db.expiry_ignored) = (held, ignored);
    }
    result?;
    log::info!(
        "DB loaded from append only file: {:.3} seconds",
        started.elapsed().as_secs_f64()
    );
    Ok(true)
}

/// Loads one file: an RDB preamble if it starts with `REDIS`, then commands.
fn load_file(replayer: &mut Replayer<'_>, path: &Path, last: bool) -> Result<(), String> {
    let name = path.display().to_string();
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            log::warn!("The append log file {name} doesn't exist");
            return Ok(());
        }
        Err(e) => {
            return Err(format!(
                "Fatal error: can't open the append log file {name} for reading: {e}"
            ))
        }
    };
    let mut head = [0u8; 5];
    let preamble = matches!((&file).read_exact(&mut head), Ok(()) if &head == b"REDIS");
    let mut start = 0;
    if preamble {
        log::info!("Reading RDB base file on AOF loading...");
        let base = File::open(path).map_err(|e| format!("{name}: {e}"))?;
        start = crate::command::snapshot::rdb::load_from(
            replayer.dbs,
            replayer.server,
            base,
            false,
            true,
        )
        .map_err(|e| format!("Error reading the RDB base file {name}: {e}, AOF loading aborted"))?;
    }
    (&file)
        .seek(SeekFrom::Start(start))
        .map_err(|e| format!("{name}: {e}"))?;
    let input = BufReader::with_capacity(256 * 1024, file);
    let mut reader = CommandReader::new(input, start);
    let mut in_multi_since = None;
    loop {
        let before = reader.valid_up_to;
        match reader.next_command() {
            Ok(Some(args)) => {
                if args[0].eq_ignore_ascii_case(b"multi") {
                    in_multi_since = Some(before);
                } else if args[0].eq_ignore_ascii_case(b"exec") {
                    in_multi_since = None;
                }
                replayer.run(&args).map_err(|e| format!("{e} {name}"))?;
            }
            Ok(None) => break,
            Err(ReadError::Truncated) => {
                let valid = in_multi_since.unwrap_or(reader.valid_up_to);
                return truncated(replayer, path, valid, last);
            }
            Err(ReadError::Format) => {
                return Err(format!(
                    "Bad file format reading the append only file {name} at offset {}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>",
                    reader.valid_up_to
                ))
            }
            Err(ReadError::Io(e)) => return Err(format!("Unrecoverable error reading the append only file {name}: {e}")),
        }
    }
    if let Some(before_multi) = in_multi_since {
        log::warn!("Revert incomplete MULTI/EXEC transaction in AOF file {name}");
        return truncated(replayer, path, before_multi, last);
    }
    Ok(())
}

/// A file that ends inside a command: truncated back to `valid` when allowed.
fn truncated(
    replayer: &mut Replayer<'_>,
    path: &Path,
    valid: u64,
    last: bool,
) -> Result<(), String> {
    let name = path.display();
    replayer.session.multi = None;
    if !(last && replayer.server.config.aof_load_truncated) {
        return Err(format!(
            "Unexpected end of file reading the append only file {name} at offset {valid}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server."
        ));
    }
    log::warn!("!!! Warning: short read while loading the AOF file {name}!!!");
    log::warn!("!!! Truncating the AOF {name} at offset {valid} !!!");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| format!("Error truncating the AOF file {name}: {e}"))?;
    file.set_len(valid)
        .map_err(|e| format!("Error truncating the AOF file {name}: {e}"))?;
    log::warn!("AOF {name} loaded anyway because aof-load-truncated is enabled");
    Ok(())
}

/// The session AOF commands replay as: the server's own client, which ACLs never limit.
fn aof_session() -> Session {
    let mut session = Session::new(u64::MAX, "aof".into(), String::new(), 0);
    session.user = crate::command::state::acl::UserId::INTERNAL;
    session.authenticated = true;
    session
}
