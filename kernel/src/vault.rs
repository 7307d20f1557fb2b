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
//! tar has no index, so finding a path means walking every header (and
//! checking each checksum again); [`find`] uses a path → entry map built
//! during the one walk at boot instead: a lookup went from 347,924 guest
//! instructions to 1,512, and a whole spawn + exit + wait of `bin/true`
//! from 423,790 to 78,728 (`make bench`, 42 entries).
//!
//! Rank 7.

use alloc::collections::BTreeMap;
use alloc::string::String;

use spin::Once;
use ustar::{Archive, End, Entry};

use crate::boot::BootInfo;
use crate::boot::summary::field;

/// The module string `limine.conf` gives the vault.
pub const MODULE_STRING: &str = "vault";

static VAULT: Once<Archive<'static>> = Once::new();

/// Every trusted entry by its full path (the last one, when a path
/// repeats, as tar extracts them).
static INDEX: Once<BTreeMap<String, Entry<'static>>> = Once::new();

/// The entry at `path` (without a leading `/` or `./`, nor a trailing
/// `/`), through the index.
pub fn find(path: &str) -> Option<Entry<'static>> {
    let path = path.trim_start_matches("./").trim_matches('/');
    INDEX.get()?.get(path).copied()
}

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
    let trusted = *VAULT.call_once(|| summary.trusted);
    INDEX.call_once(|| {
        let mut index = BTreeMap::new();
        for entry in trusted.entries().map_while(Result::ok) {
            let path: alloc::vec::Vec<u8> = entry.path().bytes().collect();
            if let Ok(path) = String::from_utf8(path) {
                index.insert(path, entry);
            }
        }
        index
    });
    Some(trusted)
}
