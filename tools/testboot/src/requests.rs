//! The kernel's requests, found in its loaded image, and its base revision
//! settled.
//!
//! `bootplan::requests` scans the image the way Limine 8.2 does (markers
//! honoured, duplicates refused). This module adds what needs the loaded
//! kernel: the `.limine_reqs` list of a revision-0 kernel, and the answer to
//! the base revision tag — its third word set to 0 when testboot supports
//! the revision asked for (0, 1 or 2), left alone otherwise (PROTOCOL.md,
//! "Base protocol revisions").

use bootplan::requests::FoundRequest;
use bootplan::{RequestScan, elf};

use crate::kernel::LoadedKernel;
use crate::{Error, log};

/// What the kernel asked for.
pub struct Requests {
    pub scan: RequestScan,
    /// The revision the kernel is booted with.
    pub base_revision: u64,
}

impl Requests {
    /// Scans the loaded image (and, for revision 0, the ELF `file`'s
    /// `.limine_reqs` section) and answers the base revision tag.
    pub fn find(kernel: &mut LoadedKernel, file: &[u8]) -> Result<Self, Error> {
        let image = kernel.image_mut();
        let fail = |error: &dyn core::fmt::Display| Error::new(format_args!("kernel requests: {error}"));
        let mut scan = RequestScan::scan(image).map_err(|error| fail(&error))?;
        let base_revision = scan.base_revision();
        if base_revision == 0
            && let Some(list) = elf::find_section(file, ".limine_reqs").map_err(|error| fail(&error))?
        {
            scan =
                scan.from_pointer_list(image, kernel.plan.virtual_base, &file[list]).map_err(|error| fail(&error))?;
            log!("base revision 0: requests taken from the .limine_reqs section");
        }

        match (scan.base_revision_tag, scan.supported_marker_offset()) {
            (None, _) => log!("no base revision tag: booting with base revision 0"),
            (Some(_), Some(offset)) => {
                write_word(image, offset, 0);
                log!("base revision {base_revision} (supported)");
            }
            (Some(tag), None) => log!(
                "kernel asks for base revision {}; booting with {base_revision} and leaving its tag unchanged",
                tag.requested
            ),
        }
        Ok(Requests { scan, base_revision })
    }
}

/// Word `index` of a request's structure (0–3 the ID, 4 the revision,
/// 5 the response pointer, 6 on the optional members).
pub fn request_word(kernel: &mut LoadedKernel, request: &FoundRequest, index: usize) -> u64 {
    read_word(kernel.image_mut(), request.offset + 8 * index)
}

/// Points the request's `response` at `response` (an HHDM address).
pub fn set_response(kernel: &mut LoadedKernel, request: &FoundRequest, response: u64) {
    write_word(kernel.image_mut(), request.response_offset(), response);
}

fn read_word(image: &[u8], offset: usize) -> u64 {
    let mut bytes = [0; 8];
    if let Some(word) = image.get(offset..offset + 8) {
        bytes.copy_from_slice(word);
    }
    u64::from_le_bytes(bytes)
}

fn write_word(image: &mut [u8], offset: usize, value: u64) {
    if let Some(word) = image.get_mut(offset..offset + 8) {
        word.copy_from_slice(&value.to_le_bytes());
    }
}
