//! `ls [PATH]`: lists the vault through the file system calls (Rank VII,
//! achievement 055). One line per entry: its kind (`f` file, `d`
//! directory, `?` anything else), its size in bytes and its full path.
//! Without a path, every entry of the vault, walking each directory in
//! turn; with a directory, only its children; with a file, the file.
#![no_std]
#![no_main]

use runtime::{DirEntry, Error, FileKind, eprintln, println};

runtime::entry!(main);

/// A path being built up while the walk goes down: the vault's paths fit
/// in `abi::PATH_MAX` bytes, so no heap is needed.
struct PathBuffer {
    bytes: [u8; abi::PATH_MAX as usize],
    length: usize,
}

impl PathBuffer {
    fn as_str(&self) -> &str {
        core::str::from_utf8(&self.bytes[..self.length]).unwrap_or("?")
    }

    /// Appends `/name` (or `name` at the root); false if it does not fit.
    fn push(&mut self, name: &str) -> bool {
        let slash = usize::from(self.length > 0);
        if self.length + slash + name.len() > self.bytes.len() {
            return false;
        }
        if slash == 1 {
            self.bytes[self.length] = b'/';
        }
        self.bytes[self.length + slash..self.length + slash + name.len()].copy_from_slice(name.as_bytes());
        self.length += slash + name.len();
        true
    }
}

fn main(args: runtime::Args) -> i32 {
    let target = args.get(1).unwrap_or("");
    let shown = if target.is_empty() { "/" } else { target };
    let stat = match runtime::stat(target) {
        Ok(stat) => stat,
        Err(error) => return fail(shown, error),
    };
    let mut path = PathBuffer { bytes: [0; abi::PATH_MAX as usize], length: 0 };
    let trimmed = target.trim_matches('/');
    if !path.push(trimmed) {
        return fail(shown, Error::NameTooLong);
    }
    if FileKind::from_u32(stat.kind) != Some(FileKind::Directory) {
        print_line(stat.kind, stat.size, path.as_str());
        return 0;
    }
    // With no argument, walk the whole vault; with one, its children only.
    match list(&mut path, target.is_empty()) {
        Ok(()) => 0,
        Err(error) => fail(path.as_str(), error),
    }
}

/// Lists the directory at `path`, descending into subdirectories when
/// `recursive`. `path` is restored before returning.
fn list(path: &mut PathBuffer, recursive: bool) -> Result<(), Error> {
    let fd = runtime::open(path.as_str())?;
    let mut entry = DirEntry::EMPTY;
    let mut index = 0;
    let result = loop {
        match runtime::readdir(fd, index, &mut entry) {
            Ok(true) => {}
            Ok(false) => break Ok(()),
            Err(error) => break Err(error),
        }
        index += 1;
        let Some(name) = entry.name() else { continue };
        let parent = path.length;
        if !path.push(name) {
            break Err(Error::NameTooLong);
        }
        print_line(entry.kind, entry.size, path.as_str());
        if recursive
            && FileKind::from_u32(entry.kind) == Some(FileKind::Directory)
            && let Err(error) = list(path, true)
        {
            path.length = parent;
            break Err(error);
        }
        path.length = parent;
    };
    let _ = runtime::close(fd);
    result
}

fn print_line(kind: u32, size: u64, path: &str) {
    let letter = FileKind::from_u32(kind).map_or('?', FileKind::letter);
    println!("{letter} {size:>8} {path}");
}

fn fail(path: &str, error: Error) -> i32 {
    eprintln!("ls: {path}: {}", error.description());
    1
}
