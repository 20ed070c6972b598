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
    }
}
