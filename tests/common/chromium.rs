//! Where Chromium is, for the tests that open a page in it: `COGOV_CHROMIUM`, or Debian's
//! `chromium` (what `.ci/run` installs), or the usual other names.

use std::path::{Path, PathBuf};

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

/// A fontconfig file under `scratch` that shows the browser only the fonts in `font_dir` (for
/// `FONTCONFIG_FILE`): a page's Chinese can then render only through its own embedded font.
pub fn fontconfig(font_dir: &Path, scratch: &Path) -> PathBuf {
    let conf = scratch.join("fonts.conf");
    std::fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?>\n<fontconfig><dir>{}</dir><cachedir>{}</cachedir></fontconfig>\n",
            font_dir.display(),
            scratch.join("fc-cache").display()
        ),
    )
    .unwrap();
    conf
}
