//! Files that appear whole or not at all: written beside their final name, flushed to disk,
//! then renamed into place, so a reader (or a crash) never sees half a file.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The temporary name a file is written under before the rename (`name.ext.tmp`).
pub fn temp_name(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Writes `bytes` to `path` atomically: a temporary file, `fsync`, then a rename. The error
/// names the file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = temp_name(path);
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        std::fs::remove_file(&tmp).ok();
        format!("cannot write {}: {e}", path.display())
    })
}

/// Forces a folder's entries (names created, renamed or removed in it) to disk, so that a
/// rename survives a power cut. Where a folder cannot be synced (not on Unix), does nothing.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Forces every file under `dir`, and every folder's entries, to disk: what a folder needs
/// before it is renamed into place as a finished result.
pub fn sync_tree(dir: &Path) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let t = e.file_type()?;
        if t.is_dir() {
            sync_tree(&e.path())?;
        } else if t.is_file() {
            std::fs::File::open(e.path())?.sync_all()?;
        }
    }
    sync_dir(dir)
}

#[cfg(test)]
mod tests {
    #[test]
    fn writes_whole_files_and_leaves_no_temporary() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.svg");
        super::write_atomic(&p, b"<svg/>").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"<svg/>");
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
        let e = super::write_atomic(&d.path().join("no/such/dir/x"), b"").unwrap_err();
        assert!(e.contains("no/such/dir/x"), "{e}");
        std::fs::create_dir(d.path().join("sub")).unwrap();
        std::fs::write(d.path().join("sub/b"), b"x").unwrap();
        super::sync_tree(d.path()).unwrap();
    }
}
