//! `interleave`: several counters sharing one serial port.
//!
//! A scheduler is tested by running tasks side by side that each print a
//! numbered line now and then (`a 1`, `b 1`, `a 2`, …). The referee takes
//! the lines of the named streams in the order they arrived and asks three
//! things of them: each stream counted 1, 2, …, N with no gap, repeat or
//! step back (nothing was lost or run twice); the lines switch from one
//! stream to another often enough (the tasks really shared the CPU, rather
//! than one running to its end first); and, when `strict`, the streams
//! took turns exactly in the listed order (a `yield` ping-pong).

use regex::Regex;

use super::Outcome;
use super::evaluate::{Evidence, display_regex, ending_note, missing_line};

/// What an interleave check asks, besides its pattern.
pub struct Rules<'a> {
    /// The stream names, in the order strict turns follow.
    pub streams: &'a [String],
    /// Each stream counts 1..=count.
    pub count: u64,
    pub min_switches: Option<u64>,
    pub strict: bool,
}

/// One matching line of a named stream.
struct Mark<'a> {
    /// Index into `Rules::streams`.
    stream: usize,
    number: u64,
    /// The whole match, for messages.
    text: &'a str,
}

/// What went wrong with one stream's numbers.
struct Problem {
    text: String,
    /// The stream stopped before `count`: the end of the boot matters.
    short: bool,
}

pub fn judge(pattern: &Regex, rules: &Rules, evidence: &Evidence) -> Outcome {
    let mut marks = Vec::new();
    for captures in pattern.captures_iter(evidence.serial) {
        let Some(stream) = captures.get(1).and_then(|name| rules.streams.iter().position(|s| s == name.as_str()))
        else {
            continue;
        };
        let text = captures.get(0).map_or("", |m| m.as_str().trim());
        let number = captures.get(2).map_or("", |m| m.as_str());
        let Ok(number) = number.parse::<u64>() else {
            return Outcome::fail(format!(
                "{text:?} matched /{}/, but its second capture {number:?} is not a decimal number",
                display_regex(pattern)
            ));
        };
        marks.push(Mark { stream, number, text });
    }
    let names = names(rules.streams);
    if marks.is_empty() {
        return Outcome::fail(format!(
            "expected lines matching /{}/ from {names} on serial {}",
            display_regex(pattern),
            missing_line(pattern.as_str(), evidence)
        ));
    }

    let mut problems = Vec::new();
    let mut short = false;
    for (index, name) in rules.streams.iter().enumerate() {
        let numbers: Vec<u64> = marks.iter().filter(|m| m.stream == index).map(|m| m.number).collect();
        if let Some(problem) = counting_problem(&numbers, rules.count) {
            problems.push(format!("{name:?} {}", problem.text));
            short |= problem.short;
        }
    }
    if rules.strict
        && let Some(problem) = turn_problem(&marks, rules)
    {
        problems.push(problem);
    }
    let switches = switches(&marks);
    if let Some(min) = rules.min_switches
        && switches < min
    {
        problems.push(format!(
            "the lines switched from one stream to another only {switches} time(s), and at least {min} are wanted: \
             one ran on for long stretches while the other{} waited",
            if rules.streams.len() > 2 { "s" } else { "" }
        ));
    }
    if !problems.is_empty() {
        let mut detail = problems.join("; ");
        if short {
            detail.push_str(&format!(" {}", ending_note(evidence)));
        }
        return Outcome::fail(detail);
    }
    let mut detail = format!(
        "{names} each counted 1 to {} in order, with {switches} switch{} between them",
        rules.count,
        if switches == 1 { "" } else { "es" }
    );
    if rules.strict {
        detail.push_str(&format!(", strictly taking turns in the order {}", rules.streams.join(", ")));
    }
    Outcome::pass(detail)
}

/// "a and b", "a, b and c".
fn names(streams: &[String]) -> String {
    match streams {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// How often two consecutive matched lines belong to different streams.
fn switches(marks: &[Mark]) -> u64 {
    marks.windows(2).filter(|pair| pair[0].stream != pair[1].stream).count() as u64
}

/// The first thing wrong with one stream's numbers, which must be exactly
/// 1, 2, …, `count`.
fn counting_problem(numbers: &[u64], count: u64) -> Option<Problem> {
    let wrong = |text: String| Some(Problem { text, short: false });
    let mut expected = 1;
    for (index, &number) in numbers.iter().enumerate() {
        if number == expected && number <= count {
            expected += 1;
            continue;
        }
        let previous = expected - 1;
        return if number == previous {
            wrong(format!("printed {number} twice in a row"))
        } else if number < previous {
            wrong(format!("went back to {number} after {previous}"))
        } else if expected > count {
            wrong(format!("counted past {count}: {number} came after {count}"))
        } else if numbers[index + 1..].contains(&expected) {
            wrong(format!("printed {number} before {expected} (out of order)"))
        } else if previous == 0 {
            wrong(format!("never printed 1: it started at {number}"))
        } else {
            wrong(format!("never printed {expected}: {number} came right after {previous}"))
        };
    }
    match expected - 1 {
        0 => Some(Problem { text: format!("printed no lines (wanted 1 to {count})"), short: true }),
        last if last < count => Some(Problem { text: format!("stopped at {last} (wanted 1 to {count})"), short: true }),
        _ => None,
    }
}

/// Where the sequence first leaves strict turns: `streams[0] 1`,
/// `streams[1] 1`, …, `streams[0] 2`, … up to `count` each.
fn turn_problem(marks: &[Mark], rules: &Rules) -> Option<String> {
    let k = rules.streams.len();
    let total = k as u64 * rules.count;
    let wanted = |position: usize| (&rules.streams[position % k], position as u64 / k as u64 + 1);
    let after = |position: usize| match position {
        0 => "as the first line".to_string(),
        _ => format!("after {:?}", marks[position - 1].text),
    };
    for (position, mark) in marks.iter().enumerate() {
        if position as u64 >= total {
            return Some(format!(
                "strict turns: the full round of {total} lines was done, but {:?} came {}",
                mark.text,
                after(position)
            ));
        }
        let (stream, number) = wanted(position);
        if rules.streams[mark.stream] != *stream || mark.number != number {
            return Some(format!(
                "strict turns break at line {} of the sequence: expected {stream}'s {number}, but {:?} came {}",
                position + 1,
                mark.text,
                after(position)
            ));
        }
    }
    if (marks.len() as u64) < total {
        let (stream, number) = wanted(marks.len());
        return Some(format!(
            "strict turns: the sequence ends after {} of its {total} lines, where {stream}'s {number} was expected next",
            marks.len()
        ));
    }
    None
}
