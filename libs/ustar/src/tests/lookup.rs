//! `find`, `is_directory` and `children`: what `cat` and `ls` ask.

use super::{Member, archive, check_any};
use crate::{Archive, Kind};

/// A vault laid out like the kernel's: programs in `bin/`, a decoy `binx/`
/// whose name starts with the same letters, nested files, and a root file
/// named like the directory.
fn vault() -> Vec<u8> {
    archive(&[
        Member::directory("bin/"),
        Member::file("bin/a", b"program a"),
        Member::file("bin/init", b"init"),
        Member::directory("binx/"),
        Member::file("binx/a", b"not program a"),
        Member::file("bin.txt", b"a file beside bin"),
        Member::directory("etc/"),
        Member::directory("etc/deep/"),
        Member::file("etc/deep/config", b"key=value"),
        Member::file("etc/motd", b"welcome"),
    ])
}

fn names(archive: &Archive<'_>, directory: &str) -> Vec<String> {
    archive.children(directory).map(|child| child.unwrap().name.to_owned()).collect()
}

#[test]
fn find_returns_the_entry_at_a_path() {
    let bytes = vault();
    let archive = Archive::new(&bytes);
    assert_eq!(archive.find("bin/a").unwrap().unwrap().data, b"program a");
    assert_eq!(archive.find("binx/a").unwrap().unwrap().data, b"not program a");
    assert_eq!(archive.find("etc/deep/config").unwrap().unwrap().data, b"key=value");
    assert_eq!(archive.find("bin").unwrap().unwrap().kind, Kind::Directory);
    for missing in ["missing.txt", "bin/b", "bin/a/", "in/a", "etc/deep/config/x", "b", "bin.txt/"] {
        assert_eq!(archive.find(missing), Ok(None), "{missing:?}");
    }
}

#[test]
fn find_normalises_a_leading_dot_slash_and_a_trailing_slash() {
    let bytes = vault();
    let archive = Archive::new(&bytes);
    for query in ["./bin/a", "bin/a", "././bin/a"] {
        assert_eq!(archive.find(query).unwrap().unwrap().data, b"program a", "{query:?}");
    }
    for query in ["etc", "etc/", "./etc/", "./etc//"] {
        assert_eq!(archive.find(query).unwrap().unwrap().name, "etc/", "{query:?}");
    }
}

/// `cat bin/a/` must not find the file `bin/a`: a trailing slash only
/// names a directory.
#[test]
fn a_trailing_slash_only_finds_directories() {
    let bytes = vault();
    let archive = Archive::new(&bytes);
    assert_eq!(archive.find("bin/a/"), Ok(None));
    assert_eq!(archive.find("bin/").unwrap().unwrap().kind, Kind::Directory);
}

/// `tar -C vault .` writes every path behind `./`, and the root as `./`.
#[test]
fn archives_written_from_dot_read_like_the_others() {
    let bytes = archive(&[
        Member::directory("./"),
        Member::directory("./bin/"),
        Member::file("./bin/a", b"a"),
        Member::file("./top", b"top"),
    ]);
    let archive = Archive::new(&bytes);
    assert_eq!(archive.find("bin/a").unwrap().unwrap().data, b"a");
    assert_eq!(archive.find("./top").unwrap().unwrap().data, b"top");
    assert_eq!(archive.find("").unwrap().unwrap().name, "./", "the root entry is the empty path");
    assert_eq!(archive.find(".").unwrap().unwrap().name, "./");
    assert_eq!(names(&archive, ""), ["bin", "top"]);
    assert_eq!(names(&archive, "./bin"), ["a"]);
}

/// An archive may hold a path twice; tar extracts both in order, so the
/// last one is what ends up on disk, and what `find` and `children` give.
#[test]
fn the_last_of_duplicate_paths_wins() {
    let bytes = archive(&[
        Member::file("note", b"first"),
        Member::file("other", b""),
        Member::file("note", b"second"),
        Member::file("./note", b"third"),
    ]);
    let archive = Archive::new(&bytes);
    assert_eq!(archive.find("note").unwrap().unwrap().data, b"third");
    let children: Vec<_> = archive.children("").map(Result::unwrap).collect();
    assert_eq!(children.iter().map(|child| child.name).collect::<Vec<_>>(), ["note", "other"]);
    assert_eq!(children[0].entry.unwrap().data, b"third");
}

#[test]
fn children_are_the_direct_children_only() {
    let bytes = vault();
    let archive = Archive::new(&bytes);
    assert_eq!(names(&archive, ""), ["bin", "binx", "bin.txt", "etc"]);
    assert_eq!(names(&archive, "bin"), ["a", "init"]);
    assert_eq!(names(&archive, "binx/"), ["a"]);
    assert_eq!(names(&archive, "etc"), ["deep", "motd"]);
    assert_eq!(names(&archive, "etc/deep"), ["config"]);
    assert_eq!(names(&archive, "./etc/deep/"), ["config"]);
    let a = archive.children("bin").next().unwrap().unwrap();
    assert_eq!((a.kind(), a.entry.unwrap().data), (Kind::File, &b"program a"[..]));
}

/// `bin` must not list what is in `binx` or `bin.txt`, and neither a file
/// nor a missing directory has children.
#[test]
fn a_shared_prefix_is_not_a_parent() {
    let bytes = vault();
    let archive = Archive::new(&bytes);
    assert!(!archive.find("binx/a").unwrap().unwrap().path().starts_with_dir("bin"));
    assert!(archive.find("bin/a").unwrap().unwrap().path().starts_with_dir("bin"));
    for nothing in ["bin/a", "bin.txt", "missing", "bi", "in", "etc/deep/config"] {
        assert!(names(&archive, nothing).is_empty(), "{nothing:?} has children");
    }
}

/// tar needs no entry for a directory to hold files: `tar cf x.tar a/b/c`
/// stores only `a/b/c`. `ls a` still shows `b`, once.
#[test]
fn implied_directories_are_listed_once() {
    let bytes = archive(&[
        Member::file("a/b/c", b"c"),
        Member::file("a/b/d", b"d"),
        Member::file("a/e", b"e"),
        Member::directory("a/f/"),
        Member::file("a/b2/x", b"x"),
        Member::directory("a/b/"),
    ]);
    check_any(&bytes);
    let archive = Archive::new(&bytes);
    assert_eq!(names(&archive, ""), ["a"]);
    let root: Vec<_> = archive.children("").map(Result::unwrap).collect();
    assert_eq!((root[0].entry, root[0].kind()), (None, Kind::Directory));

    let children: Vec<_> = archive.children("a").map(Result::unwrap).collect();
    let listing: Vec<_> = children.iter().map(|child| (child.name, child.kind(), child.entry.is_some())).collect();
    assert_eq!(
        listing,
        [
            ("b", Kind::Directory, true), // its entry comes last, but it is listed where first seen
            ("e", Kind::File, true),
            ("f", Kind::Directory, true),
            ("b2", Kind::Directory, false),
        ]
    );
    assert_eq!(children[0].entry.unwrap().name, "a/b/");
    assert_eq!(names(&archive, "a/b"), ["c", "d"]);
}

#[test]
fn is_directory_knows_implied_directories() {
    let bytes = archive(&[Member::file("a/b/c", b"c"), Member::directory("empty/"), Member::file("file", b"")]);
    let archive = Archive::new(&bytes);
    for (path, expected) in [
        ("", true),
        ("/", true),
        ("a", true),
        ("a/b/", true),
        ("empty", true),
        ("a/b/c", false),
        ("file", false),
        ("a/b/c/d", false),
        ("missing", false),
        ("a/", true),
    ] {
        assert_eq!(archive.is_directory(path), Ok(expected), "{path:?}");
    }
}
