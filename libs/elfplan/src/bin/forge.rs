//! `elf-forge ORIGINAL OUT_DIR`: writes every forgery of a real program
//! (`elfplan::forge`) into OUT_DIR, one file each, for the vault's `bad/`.
//! Each is checked to be refused for its own reason before it is written.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, original, out] = args.as_slice() else {
        eprintln!("usage: elf-forge ORIGINAL.elf OUT_DIR");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(original) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("elf-forge: cannot read {original}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let forgeries = match elfplan::forge::forgeries(&bytes) {
        Ok(forgeries) => forgeries,
        Err(error) => {
            eprintln!("elf-forge: cannot forge from {original}: {error}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(error) = std::fs::create_dir_all(out) {
        eprintln!("elf-forge: cannot create {out}: {error}");
        return ExitCode::FAILURE;
    }
    for forgery in forgeries {
        let refusal = elfplan::plan(&elfplan::forge::aligned_copy(&forgery.bytes));
        match refusal {
            Err(error) if elfplan::forge::expected(forgery.name, &error) => {}
            other => {
                eprintln!("elf-forge: {} is not refused as intended: {other:?}", forgery.name);
                return ExitCode::FAILURE;
            }
        }
        let path = PathBuf::from(out).join(forgery.name);
        if let Err(error) = std::fs::write(&path, &forgery.bytes) {
            eprintln!("elf-forge: cannot write {}: {error}", path.display());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
