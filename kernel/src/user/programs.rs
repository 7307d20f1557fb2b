//! Where programs come from: the kernel image (up to Rank VI) or the vault
//! (Rank VII on).
//!
//! Up to Rank VI the Makefile builds `user/` first and the kernel embeds
//! each program with `include_bytes!`: there is no file system yet. From
//! Rank VII, `build.rs` leaves `cfg(embedded_programs)` off, nothing is
//! embedded, and a program is a file of the vault found by its path
//! (`bin/init`). Everything else — the loader, the system calls — is the
//! same for both.

use super::LoadError;

#[cfg(embedded_programs)]
mod embedded {
    /// ELF readers want the file 8-byte aligned; `include_bytes!` promises 1.
    #[repr(C, align(8))]
    struct Aligned<T: ?Sized>(T);

    macro_rules! embedded {
        ($($name:literal),* $(,)?) => {
            [$((concat!("bin/", $name), {
                static FILE: &Aligned<[u8]> =
                    &Aligned(*include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../build/user/", $name, ".elf")));
                &FILE.0
            })),*]
        };
    }

    /// The Rank VI programs the Makefile's `user` target built.
    pub static PROGRAMS: [(&str, &[u8]); 8] =
        embedded!["first", "answer", "crash", "privileged", "pointers", "spin", "nullcall", "hostile"];
}

/// The program file at `path`.
pub fn find(path: &str) -> Result<&'static [u8], LoadError> {
    #[cfg(embedded_programs)]
    {
        embedded::PROGRAMS.iter().find(|(name, _)| *name == path).map(|(_, elf)| *elf).ok_or(LoadError::NoSuchProgram)
    }
    #[cfg(not(embedded_programs))]
    {
        crate::vault::get().ok_or(LoadError::NoVault)?;
        match crate::vault::find(path) {
            Some(entry) if entry.kind == ustar::Kind::File => Ok(entry.data),
            Some(_) => Err(LoadError::NotAFile),
            None => Err(LoadError::NoSuchProgram),
        }
    }
}

/// Where programs come from, for the boot summary.
pub fn source() -> &'static str {
    if cfg!(embedded_programs) { "embedded in the kernel image" } else { "the vault's bin/" }
}
