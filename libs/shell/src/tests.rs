//! Host tests of the shell's parsing and reporting.

use super::*;

fn command(line: &str) -> Command<'_> {
    match parse(line) {
        Ok(Line::Command(command)) => command,
        other => panic!("{line:?} gave {other:?}"),
    }
}

#[test]
fn words_split_at_any_run_of_spaces_and_tabs() {
    let c = command("  cat \t docs/long.txt   hello.txt ");
    assert_eq!(c.name(), "cat");
    assert_eq!(c.arguments(), ["docs/long.txt", "hello.txt"]);
    assert!(!c.background);
}

#[test]
fn an_empty_or_blank_line_is_just_a_new_prompt() {
    assert_eq!(parse(""), Ok(Line::Empty));
    assert_eq!(parse("    \t  "), Ok(Line::Empty));
}

#[test]
fn a_trailing_ampersand_means_background_alone_or_glued() {
    let c = command("spin forever &");
    assert_eq!((c.words(), c.background), (&["spin", "forever"][..], true));
    let c = command("spin forever&");
    assert_eq!((c.words(), c.background), (&["spin", "forever"][..], true));
    assert_eq!(parse("&"), Err(ParseError::MisplacedAmpersand));
    assert_eq!(parse("spin & forever"), Err(ParseError::MisplacedAmpersand));
    assert_eq!(parse("a&b"), Err(ParseError::MisplacedAmpersand));
}

#[test]
fn a_line_at_the_word_limit_parses_and_one_more_word_is_refused() {
    let at_limit = ["w"; MAX_WORDS].join(" ");
    assert_eq!(command(&at_limit).words().len(), MAX_WORDS);
    let over = ["w"; MAX_WORDS + 1].join(" ");
    assert_eq!(parse(&over), Err(ParseError::TooManyWords));
    let long_line = "x".repeat(76);
    assert_eq!(command(&long_line).name().len(), 76);
}

#[test]
fn built_ins_are_exactly_three() {
    assert_eq!(Builtin::find("help"), Some(Builtin::Help));
    assert_eq!(Builtin::find("clear"), Some(Builtin::Clear));
    assert_eq!(Builtin::find("exit"), Some(Builtin::Exit));
    assert_eq!(Builtin::find("ls"), None, "ls is a program in bin/");
    assert_eq!(Builtin::find("Help"), None);
}

#[test]
fn names_become_paths_in_bin_unless_they_are_paths() {
    let mut buffer = [0; abi::PATH_MAX as usize];
    assert_eq!(program_path("hello", &mut buffer), Some("bin/hello"));
    assert_eq!(program_path("bad/overlap", &mut buffer), Some("bad/overlap"));
    assert_eq!(program_path("/bin/ls", &mut buffer), Some("bin/ls"));
    assert_eq!(program_path(&"n".repeat(300), &mut buffer), None);
}

#[test]
fn endings_read_as_the_quests_write_them() {
    assert_eq!(Ending(ExitStatus::Code(0)).to_string(), "[exit 0]");
    assert_eq!(Ending(ExitStatus::Code(-1)).to_string(), "[exit -1]");
    assert_eq!(Ending(ExitStatus::Killed(14)).to_string(), "[killed: page fault]");
    assert_eq!(Ending(ExitStatus::Killed(13)).to_string(), "[killed: general protection]");
}
