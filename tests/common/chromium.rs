//! Where Chromium is, for the tests that open a page in it: `COGOV_CHROMIUM`, or Debian's
//! `chromium` (what `.ci/run` installs), or the usual other names.

use std::path::PathBuf;

pub fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("COGOV_CHROMIUM") {
        return Some(p.into());
    }
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}
