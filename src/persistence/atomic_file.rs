//! Replacing a file so that a crash at any instant leaves either the old file or the
//! new one, never half of each: write a temporary file, fsync it, rename it over the
//! target, fsync the directory so the rename itself is durable.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Why a save failed, worded for the log as Redis words it.
#[derive(Debug)]
pub struct SaveError(pub String);

impl std::fmt::Display for SaveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Writes `target` through `temp` (both relative to the working directory): `write`
/// fills a buffered writer, then the data is flushed, fsynced and renamed into place.
/// On any error the temporary file is removed and `target` is untouched.
pub fn replace_file(
    temp: &Path,
    target: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> Result<(), SaveError> {
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(temp)
        .map_err(|e| {
            let cwd = std::env::current_dir().unwrap_or_default();
            SaveError(format!(
                "Failed opening the temp RDB file {} (in server root dir {}) for saving: {}",
                temp.display(),
                cwd.display(),
                os_text(&e)
            ))
        })?;
    let mut out = BufWriter::with_capacity(64 * 1024, file);
    let written = write(&mut out)
        .and_then(|()| out.flush())
        .and_then(|()| out.get_ref().sync_all());
    if let Err(e) = written {
        let _ = std::fs::remove_file(temp);
        return Err(SaveError(format!(
            "Write error saving DB on disk: {}",
            os_text(&e)
        )));
    }
    drop(out);
    if let Err(e) = std::fs::rename(temp, target) {
        let _ = std::fs::remove_file(temp);
        return Err(SaveError(format!(
            "Error moving temp DB file {} on the final destination {} (in server root dir {}): {}",
            temp.display(),
            target.display(),
            std::env::current_dir().unwrap_or_default().display(),
            os_text(&e)
        )));
    }
    sync_dir(target);
    Ok(())
}

/// Fsyncs the directory holding `path`, making a rename durable (best effort: some
/// filesystems refuse to fsync directories).
pub fn sync_dir(path: &Path) {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// An I/O error as `strerror` words it, without Rust's "(os error N)" suffix.
pub fn os_text(error: &io::Error) -> String {
    let text = error.to_string();
    text.split(" (os error").next().unwrap_or(&text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("rredis-atomic-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = scratch("fail");
        let (temp, target) = (dir.join("temp-1.rdb"), dir.join("dump.rdb"));
        std::fs::write(&target, b"old").expect("seed");
        let failed = replace_file(&temp, &target, |out| {
            out.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&target).expect("read"), b"old");
        assert!(!temp.exists());
        replace_file(&temp, &target, |out| out.write_all(b"new")).expect("save");
        assert_eq!(std::fs::read(&target).expect("read"), b"new");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn an_unwritable_place_is_reported() {
        let dir = scratch("missing");
        let temp = dir.join("no-such-dir").join("temp-1.rdb");
        let error = replace_file(&temp, &dir.join("dump.rdb"), |_| Ok(())).unwrap_err();
        assert!(
            error.0.starts_with("Failed opening the temp RDB file"),
            "{error}"
        );
        assert!(error.0.ends_with("No such file or directory"), "{error}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
