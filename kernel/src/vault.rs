//! The vault: a USTAR archive Limine hands over as the module `vault`.
//!
//! Found by its module string, never by its position (a checkpoint may
//! load other modules too), and walked once with `libs/ustar`, which
//! checks every header's checksum and numeric fields. What follows a bad
//! header cannot be trusted (tar has no index to resynchronise with), so
//! the vault keeps the entries before it and says what was wrong where.
//!
//! The checked archive is kept in [`get`] for the rest of the kernel: the
//! file system calls (`user::files`) and the program loader read from it.
//!
//! Rank 7.

use spin::Once;
use ustar::{Archive, End};

use crate::boot::BootInfo;
use crate::boot::summary::field;

/// The module string `limine.conf` gives the vault.
pub const MODULE_STRING: &str = "vault";

static VAULT: Once<Archive<'static>> = Once::new();

/// The vault's trusted entries (all of them, or those before a bad
/// header), once `init` has found it.
pub fn get() -> Option<Archive<'static>> {
    VAULT.get().copied()
}

/// Finds the vault module and reports its size and entries.
pub fn init(boot: &BootInfo) -> Option<Archive<'static>> {
    let module = boot.modules.iter().find(|m| m.string().to_bytes() == MODULE_STRING.as_bytes());
    let Some(module) = module else {
        field("vault", format_args!("none: no module with the string {MODULE_STRING:?}"));
        return None;
    };
    let bytes = crate::boot::module_bytes(module);
    let summary = Archive::new(bytes).summary();
    match summary.end {
        End::Error(error) => {
            field("vault", format_args!("{} bytes, {} entries before an error", bytes.len(), summary.entries));
            field("vault error", format_args!("{error}"));
        }
        _ => field("vault", format_args!("{} bytes, {} entries", bytes.len(), summary.entries)),
    }
    Some(*VAULT.call_once(|| summary.trusted))
}
