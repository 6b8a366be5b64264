//! Where a plan goes: stdout, or `--out FILE` written atomically (a temporary file in the
//! same folder, then a rename), checked for writability before any work is done.

use super::Error;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A destination opened before the work starts.
pub enum Output {
    /// Standard output.
    Stdout,
    /// A file, through a temporary sibling that is renamed over it on success.
    File {
        /// The final path.
        path: PathBuf,
        /// The temporary file.
        temp: PathBuf,
        /// Its handle.
        file: Option<File>,
    },
}

impl Output {
    /// Opens the destination; an unwritable `--out` is an error here, before any work.
    pub fn open(out: Option<&Path>) -> Result<Output, Error> {
        let Some(path) = out else {
            return Ok(Output::Stdout);
        };
        if path.is_dir() {
            return Err(Error::Output(format!(
                "--out {} is a folder; name a file",
                path.display()
            )));
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let temp = dir.join(format!(".{name}.roster-{}.tmp", std::process::id()));
        let file = File::create(&temp).map_err(|e| {
            Error::Output(format!(
                "cannot write --out {}: {e} (is the folder there and writable?)",
                path.display()
            ))
        })?;
        Ok(Output::File { path: path.to_path_buf(), temp, file: Some(file) })
    }

    /// Whether the output is a file.
    pub fn is_file(&self) -> bool {
        matches!(self, Output::File { .. })
    }

    /// Writes the whole text and, for a file, renames it into place.
    pub fn finish(self, text: &str) -> Result<(), Error> {
        self.finish_with(|w| w.write_all(text.as_bytes()))
    }

    /// Writes what `write` writes, through a buffer (nothing is held whole in memory), and,
    /// for a file, renames it into place once it is complete and synced.
    pub fn finish_with(
        mut self,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), Error> {
        super::progress::end();
        match &mut self {
            Output::Stdout => {
                let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
                match write(&mut out).and_then(|()| out.flush()) {
                    Ok(()) => Ok(()),
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                    Err(e) => Err(Error::Output(format!("cannot write to stdout: {e}"))),
                }
            }
            Output::File { path, temp, file } => {
                let Some(f) = file.take() else {
                    return Ok(());
                };
                let mut out = std::io::BufWriter::with_capacity(1 << 20, &f);
                write(&mut out)
                    .and_then(|()| out.flush())
                    .and_then(|()| f.sync_all())
                    .map_err(|e| Error::Output(format!("cannot write {}: {e}", temp.display())))?;
                drop(out);
                drop(f);
                std::fs::rename(&*temp, &*path).map_err(|e| {
                    Error::Output(format!("cannot move the plan into {}: {e}", path.display()))
                })
            }
        }
    }
}

impl Drop for Output {
    /// A run that fails (or is interrupted before the rename) leaves no temporary behind
    /// and the previous `--out` file untouched.
    fn drop(&mut self) {
        if let Output::File { temp, file: Some(_), .. } = self {
            let _ = std::fs::remove_file(temp);
        }
    }
}
