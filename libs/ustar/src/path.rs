//! A path that is two strings pretending to be one.
//!
//! A USTAR path longer than 100 bytes is split at a slash: the part before
//! it goes in the 155-byte prefix field, the rest in the name field. The
//! full path is `prefix + "/" + name`, which would need a buffer to build.
//! [`Path`] keeps the two borrowed pieces instead and compares, prints and
//! copies them as if they were joined.
//!
//! It also normalises, the way tar writers disagree: `tar -C dir .` writes
//! `./hello.txt` and `./`, and every writer adds a trailing `/` to
//! directory names. A [`Path`] drops leading `./` and trailing `/`, and `.`
//! alone becomes the empty path, which is the archive's root. Queries are
//! normalised the same way, so `./docs/` and `docs` name the same thing.

use core::fmt::{self, Write};

/// A full archive path, borrowed, normalised and never allocated.
#[derive(Clone, Copy)]
pub struct Path<'a> {
    /// `[prefix, "/", name]`, or `[name, "", ""]` when there is no prefix.
    pieces: [&'a str; 3],
    /// The normalised path is `start..end` of the pieces joined.
    start: usize,
    end: usize,
}

impl<'a> Path<'a> {
    /// The path `prefix + "/" + name`, or `name` when `prefix` is empty.
    pub fn new(prefix: &'a str, name: &'a str) -> Self {
        let pieces = if prefix.is_empty() { [name, "", ""] } else { [prefix, "/", name] };
        let end = pieces.iter().map(|piece| piece.len()).sum();
        let mut path = Self { pieces, start: 0, end };
        while path.len() >= 2 && path.byte(path.start) == b'.' && path.byte(path.start + 1) == b'/' {
            path.start += 2;
        }
        while path.end > path.start && path.byte(path.end - 1) == b'/' {
            path.end -= 1;
        }
        if path.len() == 1 && path.byte(path.start) == b'.' {
            path.start = path.end;
        }
        path
    }

    /// Length in bytes of the normalised path.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether this is the root: empty, `.`, `./` or `/`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The normalised path's bytes, in order.
    pub fn bytes(&self) -> impl Iterator<Item = u8> + use<'a> {
        self.segments().flat_map(str::bytes)
    }

    /// Whether this is the path `text` names, after normalising both.
    pub fn eq_str(&self, text: &str) -> bool {
        *self == Path::from(text)
    }

    /// Whether this path lies below the directory `directory` (normalised):
    /// `bin/a` lies below `bin`, but `binx/a` and `bin` itself do not.
    /// Everything but the root lies below the root, `""`.
    pub fn starts_with_dir(&self, directory: &str) -> bool {
        self.below(&Path::from(directory)).is_some()
    }

    /// Copies the normalised path to the start of `buffer` and returns its
    /// length, or returns `None` and leaves `buffer` alone when it is too short.
    pub fn write_to(&self, buffer: &mut [u8]) -> Option<usize> {
        let length = self.len();
        let mut rest = buffer.get_mut(..length)?;
        for segment in self.segments() {
            let (head, tail) = rest.split_at_mut(segment.len());
            head.copy_from_slice(segment.as_bytes());
            rest = tail;
        }
        Some(length)
    }

    /// The first component below `directory`, and whether it is the last
    /// one: `docs/nested/note.txt` below `docs` gives `("nested", false)`.
    /// `None` when the path does not lie below `directory`, or the
    /// component is empty (a doubled slash).
    pub(crate) fn child_of(&self, directory: &Path<'_>) -> Option<(&'a str, bool)> {
        let from = self.below(directory)?;
        let to = (from..self.end).find(|&index| self.byte(index) == b'/').unwrap_or(self.end);
        Some((self.slice(from, to)?, to == self.end))
    }

    /// Where the rest of the path starts, in the joined pieces, when it
    /// lies below `directory`.
    fn below(&self, directory: &Path<'_>) -> Option<usize> {
        if directory.is_empty() {
            return (!self.is_empty()).then_some(self.start);
        }
        let length = directory.len();
        let inside = self.len() > length + 1
            && self.bytes().take(length).eq(directory.bytes())
            && self.byte(self.start + length) == b'/';
        inside.then_some(self.start + length + 1)
    }

    /// The normalised path as up to three string slices. Cuts fall next to
    /// an ASCII `.` or `/`, so they are always on character boundaries.
    fn segments(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let (start, end) = (self.start, self.end);
        let mut base = 0;
        self.pieces.into_iter().filter_map(move |piece| {
            let (from, to) = (base, base + piece.len());
            base = to;
            let (cut_from, cut_to) = (start.max(from), end.min(to));
            if cut_from < cut_to { piece.get(cut_from - from..cut_to - from) } else { None }
        })
    }

    /// The byte at `index` of the joined pieces.
    fn byte(&self, mut index: usize) -> u8 {
        for piece in self.pieces {
            if let Some(&byte) = piece.as_bytes().get(index) {
                return byte;
            }
            index -= piece.len();
        }
        0
    }

    /// `from..to` of the joined pieces, when it lies inside one piece and is
    /// not empty.
    fn slice(&self, from: usize, to: usize) -> Option<&'a str> {
        let mut base = 0;
        for piece in self.pieces {
            if base <= from && to <= base + piece.len() && from < to {
                return piece.get(from - base..to - base);
            }
            base += piece.len();
        }
        None
    }
}

impl<'a> From<&'a str> for Path<'a> {
    /// A path given as one string, such as a program's argument.
    fn from(text: &'a str) -> Self {
        Self::new("", text)
    }
}

impl PartialEq for Path<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.bytes().eq(other.bytes())
    }
}

impl Eq for Path<'_> {}

impl fmt::Display for Path<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.segments().try_for_each(|segment| formatter.write_str(segment))
    }
}

impl fmt::Debug for Path<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_char('"')?;
        for character in self.segments().flat_map(str::chars) {
            for escaped in character.escape_debug() {
                formatter.write_char(escaped)?;
            }
        }
        formatter.write_char('"')
    }
}
