//! `sh`: the shell (Rank VIII, achievements 066–069). Reads a line with
//! the same line editor the kernel's Rank V console used (keys arrive on
//! stdin as a terminal's bytes and go through the same `SerialDecoder`),
//! splits it with `libs/shell`, runs built-ins itself and everything else
//! as `bin/NAME` with `spawn`, waits (unless the line ends in `&`) and
//! reports `[exit N]` or `[killed: fault]`.
#![no_std]
#![no_main]

use core::fmt::{self, Write};

use input::{Key, LineEditor, SerialDecoder};
use runtime::{Error, print, println};
use shell::{Builtin, Ending, Line};

runtime::entry!(main);

/// Characters a line may hold: the screen's 80 columns minus the prompt.
const LINE_MAX: usize = 76;
const PROMPT: &str = "$ ";

/// Where the editor draws: standard output.
struct Terminal;

impl Write for Terminal {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        runtime::write(abi::STDOUT, text.as_bytes()).map(|_| ()).map_err(|_| fmt::Error)
    }
}

fn main(_: runtime::Args) -> i32 {
    println!("sh: MinimalOS shell; type help for what is here");
    let mut decoder = SerialDecoder::new();
    loop {
        report_finished_background();
        print!("{PROMPT}");
        let mut line = [0u8; LINE_MAX];
        let Some(length) = read_line(&mut decoder, &mut line) else { continue };
        let Ok(text) = core::str::from_utf8(&line[..length]) else { continue };
        match shell::parse(text) {
            Ok(Line::Empty) => {}
            Ok(Line::Command(command)) => {
                if run(&command) == Flow::Exit {
                    return 0;
                }
            }
            Err(error) => println!("sh: {error}"),
        }
    }
}

/// Reads keys until Enter; the line's length in `into`. A line that
/// would not fit is refused with a message: the keys after the limit are
/// dropped until Enter, and `None` asks for a fresh prompt.
fn read_line(decoder: &mut SerialDecoder, into: &mut [u8; LINE_MAX]) -> Option<usize> {
    let mut editor: LineEditor<LINE_MAX> = LineEditor::new();
    let mut overflowed = false;
    let mut bytes = [0u8; 64];
    loop {
        let count = match runtime::read(abi::STDIN, &mut bytes) {
            Ok(count) => count,
            Err(error) => {
                println!("sh: cannot read stdin: {}", error.description());
                runtime::exit(1);
            }
        };
        for &byte in &bytes[..count] {
            let Some(key) = decoder.feed(byte) else { continue };
            if overflowed {
                if key == Key::Enter {
                    return None;
                }
                continue;
            }
            if matches!(key, Key::Char(_)) && editor.len() == LINE_MAX {
                overflowed = true;
                println!();
                println!("sh: line too long (more than {LINE_MAX} characters): ignored up to Enter");
                continue;
            }
            if let Some(line) = editor.feed(key, &mut Terminal) {
                into[..line.len()].copy_from_slice(line.as_bytes());
                return Some(line.len());
            }
        }
    }
}

#[derive(PartialEq, Eq)]
enum Flow {
    Continue,
    Exit,
}

fn run(command: &shell::Command) -> Flow {
    match Builtin::find(command.name()) {
        Some(Builtin::Help) => println!("{}", shell::HELP),
        Some(Builtin::Clear) => print!("\x1b[2J\x1b[H"),
        Some(Builtin::Exit) => return Flow::Exit,
        None => start(command),
    }
    Flow::Continue
}

/// Runs `bin/NAME` with the command's arguments.
fn start(command: &shell::Command) {
    let name = command.name();
    let mut buffer = [0u8; abi::PATH_MAX as usize];
    let Some(path) = shell::program_path(name, &mut buffer) else {
        println!("{name}: name too long");
        return;
    };
    match runtime::spawn(path, command.arguments()) {
        Err(Error::NoEntry) => println!("{name}: command not found"),
        Err(error) => println!("{name}: {}", error.description()),
        Ok(pid) if command.background => println!("[started {pid}]"),
        Ok(pid) => match runtime::wait(pid) {
            Ok((_, status)) => println!("{}", Ending(status)),
            Err(error) => println!("sh: wait for {pid}: {}", error.description()),
        },
    }
}

/// Background programs that have ended since the last prompt.
fn report_finished_background() {
    while let Ok(Some((pid, status))) = runtime::wait_no_hang(0) {
        println!("[{pid} done] {}", Ending(status));
    }
}
