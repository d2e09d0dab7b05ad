//! Looking through a test's temporary directory.

use std::fs;
use std::path::{Path, PathBuf};

/// Every file or directory under `root` (at any depth) whose name starts with `prefix`: the
/// marker files a command hidden in a name or path would have made.
pub fn named_under(root: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            if e.file_name().to_string_lossy().starts_with(prefix) {
                found.push(e.path());
            }
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            }
        }
    }
    found
}
