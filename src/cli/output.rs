//! Where a plan goes: stdout, or `--out FILE` written safely ([`Replacement`]: a
//! temporary file renamed into place, or a device written directly), checked before any
//! work is done.

use super::replace::Replacement;
use super::Error;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// A destination opened before the work starts.
pub enum Output {
    /// Standard output.
    Stdout,
    /// A file.
    File(Replacement),
}

impl Output {
    /// Opens the destination. An unwritable `--out`, or one that is one of the run's
    /// `inputs` (the policy, a snapshot file, a requests sheet), is an error here, before
    /// any work.
    pub fn open(out: Option<&Path>, inputs: &[&Path]) -> Result<Output, Error> {
        let Some(path) = out else {
            return Ok(Output::Stdout);
        };
        refuse_input(path, inputs)?;
        Replacement::begin(path).map(Output::File).map_err(|e| Error::Output(format!("--out: {e}")))
    }

    /// Whether the output is a file.
    pub fn is_file(&self) -> bool {
        matches!(self, Output::File(_))
    }

    /// Writes the whole text and, for a file, renames it into place.
    pub fn finish(self, text: &str) -> Result<(), Error> {
        self.finish_with(|w| w.write_all(text.as_bytes()))
    }

    /// Writes what `write` writes, through a buffer (nothing is held whole in memory), and,
    /// for a file, renames it into place once it is complete and synced. On failure the
    /// previous file is untouched and no temporary file is left.
    pub fn finish_with(
        self,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), Error> {
        super::progress::end();
        match self {
            Output::Stdout => {
                let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
                match write(&mut out).and_then(|()| out.flush()) {
                    Ok(()) => Ok(()),
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                    Err(e) => Err(Error::Output(format!("cannot write to stdout: {e}"))),
                }
            }
            Output::File(r) => {
                let Some(f) = r.file() else { return Ok(()) };
                let mut out = std::io::BufWriter::with_capacity(1 << 20, f);
                let written = write(&mut out).and_then(|()| out.flush());
                drop(out);
                match written {
                    // Dropping `r` removes the temporary file.
                    Err(e) => {
                        Err(Error::Output(format!("cannot write {}: {e}", r.path().display())))
                    }
                    Ok(()) => r.commit().map_err(Error::Output),
                }
            }
        }
    }
}

/// An error when `path` is one of the run's `inputs`.
pub fn refuse_input(path: &Path, inputs: &[&Path]) -> Result<(), Error> {
    match same_file_as_input(path, inputs) {
        Some(input) => Err(Error::Output(format!(
            "--out {} is an input of this run ({}); write the plan somewhere else",
            path.display(),
            input.display()
        ))),
        None => Ok(()),
    }
}

/// Whether two paths name the same existing file (device and inode).
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// The input `out` is, if it is one: the same file (device and inode), or a file inside
/// an input folder.
fn same_file_as_input<'a>(out: &Path, inputs: &[&'a Path]) -> Option<&'a Path> {
    std::fs::metadata(out).ok()?;
    let same = |p: &Path| same_file(out, p);
    inputs.iter().copied().find(|input| {
        same(input)
            || (input.is_dir()
                && std::fs::read_dir(input)
                    .map(|entries| entries.filter_map(Result::ok).any(|e| same(&e.path())))
                    .unwrap_or(false))
    })
}
