//! `cat PATH...`: prints each file's exact bytes (Rank VII, achievements
//! 056 and 057). Reads in 256-byte pieces until `read` returns 0, which
//! is the only way to know a file has ended; errors are named per path
//! (`cat: missing.txt: no such file`) and make the exit code 1.
#![no_std]
#![no_main]

use runtime::{Error, eprintln};

runtime::entry!(main);

fn main(args: runtime::Args) -> i32 {
    if args.len() < 2 {
        eprintln!("usage: cat PATH...");
        return 2;
    }
    let mut status = 0;
    for path in args.rest() {
        if let Err(error) = cat(path) {
            eprintln!("cat: {path}: {}", error.description());
            status = 1;
        }
    }
    status
}

fn cat(path: &str) -> Result<(), Error> {
    let fd = runtime::open(path)?;
    let mut buffer = [0u8; 256];
    let result = loop {
        match runtime::read(fd, &mut buffer) {
            Ok(0) => break Ok(()),
            Ok(count) => {
                if let Err(error) = runtime::write(abi::STDOUT, &buffer[..count]) {
                    break Err(error);
                }
            }
            Err(error) => break Err(error),
        }
    };
    let _ = runtime::close(fd);
    result
}
