//! [`Path`]: two pieces that compare, print and copy as one string.

use crate::Path;

#[test]
fn prefix_and_name_join_with_one_slash() {
    let path = Path::new("usr/share", "doc/readme");
    assert_eq!(path.to_string(), "usr/share/doc/readme");
    assert_eq!(path.len(), 20);
    assert!(path.eq_str("usr/share/doc/readme"));
    assert!(!path.eq_str("usr/sharedoc/readme"));
    assert_eq!(path, Path::from("usr/share/doc/readme"));
    assert_eq!(format!("{path:?}"), "\"usr/share/doc/readme\"");
}

#[test]
fn normalisation_drops_leading_dot_slash_and_trailing_slashes() {
    let cases = [
        (("", "docs/"), "docs"),
        (("", "./docs/"), "docs"),
        (("", "././docs//"), "docs"),
        (("./usr", "bin/"), "usr/bin"),
        ((".", "bin"), "bin"),
        (("usr", "bin/"), "usr/bin"),
        (("", "./"), ""),
        (("", "."), ""),
        (("", "/"), ""),
        (("", ".//"), ""),
        (("", ""), ""),
        (("", "..."), "..."),
        (("", ".hidden"), ".hidden"),
        (("", "a/./"), "a/."),
        (("", "/etc/motd"), "/etc/motd"),
    ];
    for ((prefix, name), expected) in cases {
        let path = Path::new(prefix, name);
        assert_eq!(path.to_string(), expected, "{prefix:?} + {name:?}");
        assert_eq!(path.len(), expected.len());
        assert_eq!(path.is_empty(), expected.is_empty());
        assert!(path.eq_str(expected) && path.eq_str(&format!("./{expected}/")));
        assert!(path.bytes().eq(expected.bytes()));
        // Normalising twice changes nothing.
        assert_eq!(Path::from(expected).to_string(), expected);
    }
}

#[test]
fn starts_with_dir_needs_a_whole_component() {
    let path = Path::new("bin", "tools/a");
    for (directory, expected) in [
        ("bin", true),
        ("bin/", true),
        ("./bin", true),
        ("bin/tools", true),
        ("", true),
        ("bin/tools/a", false),
        ("bi", false),
        ("bin/too", false),
        ("binx", false),
        ("tools", false),
    ] {
        assert_eq!(path.starts_with_dir(directory), expected, "{directory:?}");
    }
    assert!(!Path::from("").starts_with_dir(""), "the root does not lie below itself");
    assert!(!Path::from("binx/a").starts_with_dir("bin"));
}

#[test]
fn write_to_copies_all_or_nothing() {
    let path = Path::new("usr/share", "doc/");
    let mut buffer = [b'#'; 16];
    assert_eq!(path.write_to(&mut buffer), Some(13));
    assert_eq!(&buffer, b"usr/share/doc###");

    let mut exact = [0; 13];
    assert_eq!(path.write_to(&mut exact), Some(13));
    let mut short = [b'#'; 12];
    assert_eq!(path.write_to(&mut short), None);
    assert_eq!(short, [b'#'; 12], "a refused write leaves the buffer alone");
    assert_eq!(Path::from("./").write_to(&mut []), Some(0));
}

#[test]
fn multibyte_characters_survive_the_join() {
    let path = Path::new("./répertoire", "fichier-été/");
    assert_eq!(path.to_string(), "répertoire/fichier-été");
    assert!(path.eq_str("répertoire/fichier-été"));
    assert!(path.starts_with_dir("répertoire"));
    assert_eq!(format!("{path:?}"), "\"répertoire/fichier-été\"");
}
