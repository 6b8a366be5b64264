//! Writing a file without harming anything else: every file roster writes (`--out`,
//! `roster test --bless`, `roster man --out`, `roster generate --out`) goes through
//! [`Replacement`].
//!
//! - A regular file (or a new one) is written to a temporary file created exclusively
//!   (`O_EXCL`, `O_NOFOLLOW`, an unpredictable name) in the same folder, synced, given the
//!   replaced file's mode and owner, and renamed over the target. Until then the target is
//!   untouched; on any failure, a signal or an allocation failure, the temporary file is
//!   removed.
//! - A character device or a FIFO (`/dev/null`, a pipe) is written directly, never renamed
//!   over; so is a link to roster's own standard output (`/dev/stdout`).
//! - A folder, a socket, a block device, or a symbolic link to anything else is refused:
//!   roster never writes through a link to a file elsewhere, and never replaces a link.
//!
//! Temporary files are registered while they exist, so that [`remove_temporaries`] (called
//! on SIGINT, SIGTERM and SIGHUP, and when memory runs out) can delete them without
//! allocating or locking.

use std::ffi::CString;
use std::fs::{File, Metadata, OpenOptions};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicPtr, Ordering};

/// A file being replaced, or a device being written.
pub struct Replacement {
    path: PathBuf,
    file: Option<File>,
    /// The temporary file and its registry slot, for a regular file.
    temp: Option<(PathBuf, Option<usize>)>,
    /// The mode and owner to give the new file.
    keep: Option<(u32, u32, u32)>,
    /// Whether the file is synced before it is renamed into place (see [`write_unsynced`]).
    sync: bool,
}

/// What a path is, for writing.
enum Kind {
    /// Missing, or a regular file: replaced through a temporary file.
    Replace(Option<Metadata>),
    /// A character device or FIFO: written directly.
    Direct,
}

fn kind(path: &Path) -> Result<Kind, String> {
    let shown = path.display();
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Kind::Replace(None)),
        Err(e) => return Err(format!("cannot inspect {shown}: {e}")),
    };
    let t = meta.file_type();
    if t.is_symlink() {
        return match std::fs::metadata(path) {
            Ok(target) if is_stream(&target) => Ok(Kind::Direct),
            Ok(target) if is_own_stdout(&target) => Ok(Kind::Direct),
            Ok(_) => Err(format!(
                "{shown} is a symbolic link; roster writes neither through a link nor over one: name the file itself"
            )),
            Err(_) => Err(format!("{shown} is a symbolic link to nothing; name a file")),
        };
    }
    if t.is_file() {
        Ok(Kind::Replace(Some(meta)))
    } else if is_stream(&meta) {
        Ok(Kind::Direct)
    } else if t.is_dir() {
        Err(format!("{shown} is a folder; name a file"))
    } else if t.is_socket() {
        Err(format!("{shown} is a socket; name a file"))
    } else {
        Err(format!("{shown} is a device roster will not write over; name a file"))
    }
}

/// A character device or a FIFO: something that takes a stream, not a file to replace.
fn is_stream(meta: &Metadata) -> bool {
    let t = meta.file_type();
    t.is_char_device() || t.is_fifo()
}

/// Whether `meta` is the very file this process's standard output is.
fn is_own_stdout(meta: &Metadata) -> bool {
    std::fs::metadata("/dev/fd/1")
        .or_else(|_| std::fs::metadata("/proc/self/fd/1"))
        .is_ok_and(|out| out.dev() == meta.dev() && out.ino() == meta.ino())
}

/// An unpredictable 64-bit number: the standard library's per-process random hash keys,
/// mixed with the time and a counter.
fn random() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    h.finish()
}

impl Replacement {
    /// Starts writing `path`. An unwritable destination is an error here, before any work.
    pub fn begin(path: &Path) -> Result<Replacement, String> {
        let shown = path.display();
        match kind(path)? {
            Kind::Direct => {
                let file = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| format!("cannot write {shown}: {e}"))?;
                Ok(Replacement {
                    path: path.to_path_buf(),
                    file: Some(file),
                    temp: None,
                    keep: None,
                    sync: true,
                })
            }
            Kind::Replace(existing) => {
                let dir = match path.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                let Some(name) = name.filter(|n| !n.is_empty() && n != "..") else {
                    return Err(format!("{shown} does not name a file"));
                };
                let keep = existing.as_ref().map(|m| (m.mode() & 0o7777, m.uid(), m.gid()));
                // Created with the replaced file's permissions (or the usual ones, less the
                // umask): a plan holds personal data and is never more readable than before.
                let mode = keep.map_or(0o666, |(mode, ..)| mode & 0o777);
                let mut last = None;
                for _ in 0..16 {
                    let temp = dir.join(format!(".{name}.{:016x}.tmp", random()));
                    // Registered before it exists, so that a signal between its creation
                    // and its registration cannot leave it behind.
                    let slot = register(&temp);
                    match OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .mode(mode)
                        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
                        .open(&temp)
                    {
                        Ok(file) => {
                            return Ok(Replacement {
                                path: path.to_path_buf(),
                                file: Some(file),
                                temp: Some((temp, slot)),
                                keep,
                                sync: true,
                            });
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                            forget(slot);
                            last = Some(e);
                        }
                        Err(e) => {
                            forget(slot);
                            return Err(format!(
                                "cannot write {shown}: {e} (is the folder there and writable?)"
                            ));
                        }
                    }
                }
                Err(format!(
                    "cannot write {shown}: no temporary file could be created beside it ({})",
                    last.map_or_else(String::new, |e| e.to_string())
                ))
            }
        }
    }

    /// The path being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file to write to (the temporary file, or the device).
    pub fn file(&self) -> Option<&File> {
        self.file.as_ref()
    }

    /// Whether a regular file is being replaced (rather than a device written).
    pub fn is_regular(&self) -> bool {
        self.temp.is_some()
    }

    /// Finishes: for a regular file, syncs the temporary file, gives it the replaced file's
    /// mode and owner, and renames it over the target.
    pub fn commit(mut self) -> Result<(), String> {
        let Some(file) = self.file.take() else { return Ok(()) };
        let Some((temp, slot)) = self.temp.take() else {
            return (&file)
                .flush()
                .map_err(|e| format!("cannot write {}: {e}", self.path.display()));
        };
        let done = (|| {
            if let Some((mode, uid, gid)) = self.keep {
                file.set_permissions(std::fs::Permissions::from_mode(mode))?;
                // Only root may give a file away; anyone else keeps their own.
                let _ = std::os::unix::fs::fchown(&file, Some(uid), Some(gid));
            }
            if self.sync {
                file.sync_all()?;
            }
            drop(file);
            std::fs::rename(&temp, &self.path)
        })();
        let result = done.map_err(|e| format!("cannot write {}: {e}", self.path.display()));
        if result.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        forget(slot);
        result
    }

    /// Writes all of `bytes` and commits.
    pub fn write_all(self, bytes: &[u8]) -> Result<(), String> {
        if let Some(mut f) = self.file.as_ref() {
            f.write_all(bytes).map_err(|e| format!("cannot write {}: {e}", self.path.display()))?;
        }
        self.commit()
    }
}

/// Writes go to the temporary file (or the device); nothing is visible at the target until
/// [`Replacement::commit`].
impl Write for Replacement {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match self.file.as_ref() {
            Some(mut f) => f.write(bytes),
            None => Err(std::io::Error::other("the file is already committed")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.file.as_ref() {
            Some(mut f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for Replacement {
    /// A replacement that is not committed leaves no temporary file behind, and the target
    /// as it was.
    fn drop(&mut self) {
        if let Some((temp, slot)) = self.temp.take() {
            self.file = None;
            let _ = std::fs::remove_file(&temp);
            forget(slot);
        }
    }
}

/// Writes `bytes` to `path` the safe way ([`Replacement`]).
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    Replacement::begin(path)?.write_all(bytes)
}

/// Writes `bytes` to `path` as [`write`] does (a temporary file renamed into place, never
/// half a file), but leaves syncing it to a later [`sync_folder`]: a run that writes
/// thousands of files syncs them once, not one by one.
pub fn write_unsynced(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut r = Replacement::begin(path)?;
    r.sync = false;
    r.write_all(bytes)
}

/// Syncs the file system that holds `dir` to disk (`syncfs`), after [`write_unsynced`].
pub fn sync_folder(dir: &Path) -> Result<(), String> {
    let folder = File::open(dir).map_err(|e| format!("cannot sync {}: {e}", dir.display()))?;
    // SAFETY: syncfs takes an open file descriptor, which `folder` holds until it drops.
    let done = unsafe { libc::syncfs(std::os::fd::AsRawFd::as_raw_fd(&folder)) };
    if done == 0 {
        Ok(())
    } else {
        Err(format!("cannot sync {}: {}", dir.display(), std::io::Error::last_os_error()))
    }
}

// ---------------------------------------------------------------------------------------
// The registry of temporary files

const SLOTS: usize = 32;
static TEMPORARIES: [AtomicPtr<libc::c_char>; SLOTS] =
    [const { AtomicPtr::new(std::ptr::null_mut()) }; SLOTS];

/// Registers a temporary file for removal on a signal or an allocation failure. The path is
/// kept as a C string that is never freed, so removal never touches freed memory.
fn register(path: &Path) -> Option<usize> {
    let c = CString::new(path.as_os_str().as_bytes()).ok()?;
    let ptr = c.into_raw();
    for (i, slot) in TEMPORARIES.iter().enumerate() {
        if slot
            .compare_exchange(std::ptr::null_mut(), ptr, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            return Some(i);
        }
    }
    // More than SLOTS files at once: the ordinary Drop still removes this one.
    // SAFETY: `ptr` came from `CString::into_raw` just above and was not stored anywhere.
    drop(unsafe { CString::from_raw(ptr) });
    None
}

/// The temporary file is gone (renamed or removed): nothing to remove any more. The C
/// string stays allocated (a few bytes per file written), so a concurrent removal can never
/// read freed memory.
fn forget(slot: Option<usize>) {
    if let Some(slot) = slot.and_then(|i| TEMPORARIES.get(i)) {
        slot.store(std::ptr::null_mut(), Ordering::Release);
    }
}

/// Removes every registered temporary file. Allocates nothing and takes no lock, so it may
/// run in a signal handler or when memory has run out.
pub fn remove_temporaries() {
    for slot in &TEMPORARIES {
        let ptr = slot.swap(std::ptr::null_mut(), Ordering::AcqRel);
        if !ptr.is_null() {
            // SAFETY: a non-null slot holds a NUL-terminated string from `CString::into_raw`
            // that is never freed; `unlink` only reads it.
            unsafe {
                libc::unlink(ptr);
            }
        }
    }
}

/// Removes the temporary files when roster is interrupted (SIGINT, SIGTERM, SIGHUP), then
/// ends the way the signal would have ended it.
pub fn on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    let _ = std::thread::Builder::new().name("roster-signals".to_owned()).spawn(move || {
        if let Some(signal) = signals.forever().next() {
            remove_temporaries();
            super::progress::end();
            let _ = signal_hook::low_level::emulate_default_handler(signal);
            std::process::exit(128 + signal);
        }
    });
}

/// Makes glibc's malloc give memory back as soon as a large buffer is freed. By default
/// its threshold for serving a request from its own mapping rises to the size of each
/// large buffer freed (up to 32 MB), so that the per-thread lists a pass builds and then
/// merges, once freed, stay in the heap as free space the process still holds: at a
/// million users that was about 50 MB of peak memory for nothing. A fixed threshold keeps
/// every buffer over 128 KiB in its own mapping, returned to the system when freed.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets a parameter of the allocator; it is called before any
    // thread but the main one exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// The allocator of the `roster` binary: the system's, except that when memory runs out
/// roster removes its temporary files, says so in one line and exits with code 1, instead
/// of aborting.
pub struct Allocator;

/// What is said when memory runs out.
const OUT_OF_MEMORY: &[u8] =
    b"error: out of memory: the snapshot is too large for the memory this run may use (see ulimit -v)\n";

fn out_of_memory() -> ! {
    remove_temporaries();
    // SAFETY: writing a static buffer to stderr and ending the process at once are
    // async-signal-safe and allocate nothing.
    unsafe {
        libc::write(2, OUT_OF_MEMORY.as_ptr().cast(), OUT_OF_MEMORY.len());
        libc::_exit(1)
    }
}

// SAFETY: every method forwards to `std::alloc::System` with the same arguments and returns
// its result; a null result (no memory) never returns to the caller.
unsafe impl std::alloc::GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which System shares.
        let p = unsafe { std::alloc::System.alloc(layout) };
        if p.is_null() {
            out_of_memory();
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { std::alloc::System.alloc_zeroed(layout) };
        if p.is_null() {
            out_of_memory();
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout` (every allocation goes
        // through this type).
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`; the caller upholds `realloc`'s contract.
        let p = unsafe { std::alloc::System.realloc(ptr, layout, size) };
        if p.is_null() {
            out_of_memory();
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("roster-replace-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_file_is_replaced_with_its_mode_and_nothing_is_left_beside_it() {
        let d = dir("mode");
        let f = d.join("plan.json");
        std::fs::write(&f, "old").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        write(&f, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "new");
        assert_eq!(std::fs::metadata(&f).unwrap().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
    }

    #[test]
    fn an_abandoned_replacement_leaves_the_old_file_and_no_temporary() {
        let d = dir("drop");
        let f = d.join("plan.json");
        std::fs::write(&f, "old").unwrap();
        let r = Replacement::begin(&f).unwrap();
        (&mut r.file().unwrap()).write_all(b"half").unwrap();
        drop(r);
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "old");
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
    }

    #[test]
    fn links_folders_and_sockets_are_refused() {
        let d = dir("refused");
        let victim = d.join("victim");
        std::fs::write(&victim, "keep").unwrap();
        std::os::unix::fs::symlink(&victim, d.join("link")).unwrap();
        assert!(write(&d.join("link"), b"x").unwrap_err().contains("symbolic link"));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert!(write(&d, b"x").unwrap_err().contains("folder"));
        let _sock = std::os::unix::net::UnixListener::bind(d.join("sock")).unwrap();
        assert!(write(&d.join("sock"), b"x").unwrap_err().contains("socket"));
    }

    #[test]
    fn a_device_is_written_and_stays_a_device() {
        write(Path::new("/dev/null"), b"x").unwrap();
        assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
    }
}
