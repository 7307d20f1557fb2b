//! The vault's files as a program sees them: `open`, `read`, `close`,
//! `stat` and `readdir`, read-only.
//!
//! Three layers, each with one job:
//! - the **block view** (`vault_block`): sector N of the ramdisk, 512 bytes,
//!   as a disk driver would hand it over — the only place file data is read;
//! - the **file API** (this module): paths to entries through `libs/ustar`,
//!   a table of open files (entry and offset), `read` slicing a file's
//!   range out of its blocks, named errors (`abi::Error`);
//! - the **system calls** (`syscalls.rs`), which check every pointer and
//!   length the program hands in before anything here runs.
//!
//! Each process has its own table of open files (the single program of
//! Ranks VI and VII is owner 0), emptied when it ends.
//!
//! Rank 7.

use alloc::collections::BTreeMap;
use alloc::string::String;

use abi::{DirEntry, Error, FileKind, Stat};
use spin::Mutex;
use ustar::{Archive, Entry, Kind};

/// What an open descriptor refers to.
#[derive(Clone)]
enum Node {
    File(Entry<'static>),
    /// A directory, by its normalised path ("" for the root): tar has no
    /// directory objects, only paths, so the path is what we keep.
    Directory(String),
}

#[derive(Clone)]
struct OpenFile {
    node: Node,
    /// Where the next `read` starts.
    offset: u64,
}

const SLOTS: usize = abi::MAX_OPEN_FILES as usize;

type Slots = [Option<OpenFile>; SLOTS];

/// Open files by owner (the process's pid).
static OPEN: Mutex<BTreeMap<u64, Slots>> = Mutex::new(BTreeMap::new());

/// Runs `f` on the running process's table.
fn with_table<R>(f: impl FnOnce(&mut Slots) -> R) -> R {
    let owner = crate::process::current();
    let mut open = OPEN.lock();
    f(open.entry(owner).or_insert([const { None }; SLOTS]))
}

fn vault() -> Result<Archive<'static>, Error> {
    crate::vault::get().ok_or(Error::NoEntry)
}

/// Sector `n` of the ramdisk: the block view a disk driver would give.
pub fn vault_block(n: usize) -> Option<&'static [u8; ustar::BLOCK_BYTES]> {
    ustar::block(crate::vault::get()?.bytes(), n)
}

/// `path` without a leading `/` or `./` and without a trailing `/`.
fn normalise(path: &str) -> &str {
    let path = path.trim_start_matches("./").trim_matches('/');
    if path == "." { "" } else { path }
}

/// What `path` names: a file (or other entry), a directory, or nothing.
fn lookup(path: &str) -> Result<Node, Error> {
    let vault = vault()?;
    let path = normalise(path);
    if path.is_empty() {
        return Ok(Node::Directory(String::new()));
    }
    // The index has every entry; a directory the archive only implies
    // (no entry of its own) needs a walk. The vault keeps only headers
    // that passed every check, so that walk cannot fail.
    match crate::vault::find(path) {
        Some(entry) if entry.kind == Kind::Directory => Ok(Node::Directory(path.into())),
        Some(entry) => Ok(Node::File(entry)),
        None if vault.is_directory(path) == Ok(true) => Ok(Node::Directory(path.into())),
        None => Err(Error::NoEntry),
    }
}

fn kind_of(kind: Kind) -> FileKind {
    match kind {
        Kind::File => FileKind::File,
        Kind::Directory => FileKind::Directory,
        Kind::Other(_) => FileKind::Other,
    }
}

/// `open(path)`: the lowest free descriptor from `abi::FIRST_FILE_FD`.
pub fn open(path: &str) -> Result<u64, Error> {
    let node = lookup(path)?;
    with_table(|open| {
        let slot = open.iter().position(Option::is_none).ok_or(Error::TooManyFiles)?;
        open[slot] = Some(OpenFile { node, offset: 0 });
        Ok(abi::FIRST_FILE_FD + slot as u64)
    })
}

fn slot(fd: u64) -> Result<usize, Error> {
    fd.checked_sub(abi::FIRST_FILE_FD).map(|i| i as usize).filter(|&i| i < SLOTS).ok_or(Error::BadFd)
}

pub fn close(fd: u64) -> Result<(), Error> {
    let slot = slot(fd)?;
    with_table(|open| open[slot].take().map(|_| ()).ok_or(Error::BadFd))
}

/// Closes everything `owner` left open.
pub fn close_all(owner: u64) {
    OPEN.lock().remove(&owner);
}

/// `read(fd)` into `into`: up to `into.len()` bytes from the offset, 0 at
/// the end of the file. The data comes block by block through the block
/// view, so a read across a 512-byte boundary is two block reads.
pub fn read(fd: u64, into: &mut [u8]) -> Result<usize, Error> {
    let slot = slot(fd)?;
    with_table(|open| read_open(open[slot].as_mut().ok_or(Error::BadFd)?, into))
}

fn read_open(file: &mut OpenFile, into: &mut [u8]) -> Result<usize, Error> {
    let entry = match &file.node {
        Node::File(entry) => *entry,
        Node::Directory(_) => return Err(Error::IsDirectory),
    };
    let left = entry.size.saturating_sub(file.offset);
    let count = (into.len() as u64).min(left) as usize;
    // File data starts in the block after the header.
    let data_start = entry.offset + ustar::BLOCK_BYTES;
    let mut done = 0;
    while done < count {
        let position = data_start + (file.offset as usize + done);
        let block = vault_block(position / ustar::BLOCK_BYTES).ok_or(Error::Invalid)?;
        let within = position % ustar::BLOCK_BYTES;
        let piece = (ustar::BLOCK_BYTES - within).min(count - done);
        into[done..done + piece].copy_from_slice(&block[within..within + piece]);
        done += piece;
    }
    file.offset += count as u64;
    Ok(count)
}

/// `stat(path)`.
pub fn stat(path: &str) -> Result<Stat, Error> {
    Ok(match lookup(path)? {
        Node::File(entry) => Stat { kind: kind_of(entry.kind) as u32, reserved: 0, size: entry.size },
        Node::Directory(_) => Stat { kind: FileKind::Directory as u32, reserved: 0, size: 0 },
    })
}

/// `readdir(fd, index)`: the `index`-th child of an open directory, in
/// the order the archive first mentions it; `None` past the last.
pub fn readdir(fd: u64, index: u64) -> Result<Option<DirEntry>, Error> {
    let slot = slot(fd)?;
    let directory = with_table(|open| match &open[slot] {
        Some(OpenFile { node: Node::Directory(path), .. }) => Ok(path.clone()),
        Some(_) => Err(Error::NotDirectory),
        None => Err(Error::BadFd),
    })?;
    let vault = vault()?;
    let Some(child) = vault.children(&directory).nth(index as usize) else {
        return Ok(None);
    };
    let child = child.map_err(|_| Error::Invalid)?;
    let mut entry = DirEntry::EMPTY;
    let name = child.name.as_bytes();
    let length = name.len().min(abi::NAME_MAX);
    entry.name[..length].copy_from_slice(&name[..length]);
    entry.name_length = length as u32;
    entry.kind = kind_of(child.kind()) as u32;
    entry.size = match child.entry {
        Some(e) if e.kind != Kind::Directory => e.size,
        _ => 0,
    };
    Ok(Some(entry))
}
