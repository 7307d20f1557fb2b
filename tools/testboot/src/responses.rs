//! Answers the kernel's requests, one response per feature testboot has.
//!
//! For every request found, this writes the response into
//! BOOTLOADER_RECLAIMABLE memory and points the request's `response` at it
//! through the HHDM, as Limine does for every pointer it hands over
//! (PROTOCOL.md, "General Notes"). Answered: bootloader info, firmware
//! type, stack size, HHDM, framebuffer, paging mode (4-level), memory map,
//! entry point, kernel file, modules, RSDP and kernel address. Any other
//! request keeps its NULL response, and the serial log names it. Like
//! Limine 8.2, the module request goes unanswered when no module is
//! configured, and the RSDP and framebuffer ones when there is none.
//!
//! The memory map can only be filled in after ExitBootServices; its storage
//! is reserved here and `memory_map` fills it.

use alloc::vec::Vec;

use bootplan::BootEntry;

use crate::display::Display;
use crate::files::{LoadedFile, VolumeIdentity};
use crate::kernel::LoadedKernel;
use crate::memory::{Arena, hhdm};
use crate::memory_map::MemoryMapResponse;
use crate::protocol::{self, EmptyResponse, ListResponse, OneValueResponse, TwoValueResponse, id};
use crate::requests::{self, Requests};
use crate::{Error, log};

/// The stack Limine gives when the kernel asks for none, or for less.
const DEFAULT_STACK_BYTES: u64 = 64 * 1024;
const BOOTLOADER_NAME: &str = "MinimalOS testboot";
const BOOTLOADER_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything a response may describe.
pub struct Sources<'a> {
    pub entry: &'a BootEntry,
    pub kernel_file: LoadedFile,
    pub modules: &'a [LoadedFile],
    pub display: Option<&'a Display>,
    pub rsdp: Option<u64>,
    pub volume: VolumeIdentity,
    /// Entries to reserve for the memory map response.
    pub memory_map_capacity: usize,
}

/// What the hand-off needs from the requests.
pub struct Answers {
    pub stack_bytes: u64,
    pub entry_point: u64,
    /// Reserved storage, if the kernel asked for the memory map.
    pub memory_map: Option<MemoryMapResponse>,
}

pub fn answer(
    requests: &Requests,
    kernel: &mut LoadedKernel,
    sources: &Sources,
    arena: &mut Arena,
) -> Result<Answers, Error> {
    let mut answers = Answers { stack_bytes: DEFAULT_STACK_BYTES, entry_point: kernel.plan.entry, memory_map: None };
    for request in &requests.scan.requests {
        let word = |kernel: &mut LoadedKernel, index| requests::request_word(kernel, request, index);
        let response = match [request.id[2], request.id[3]] {
            id::BOOTLOADER_INFO => {
                let name = hhdm(arena.place_c_string(BOOTLOADER_NAME)?);
                let version = hhdm(arena.place_c_string(BOOTLOADER_VERSION)?);
                Some(arena.place(TwoValueResponse { revision: 0, first: name, second: version })?)
            }
            id::FIRMWARE_TYPE => {
                Some(arena.place(OneValueResponse { revision: 0, value: protocol::FIRMWARE_TYPE_UEFI64 })?)
            }
            id::STACK_SIZE => {
                answers.stack_bytes = word(kernel, 6).max(DEFAULT_STACK_BYTES).next_multiple_of(bootplan::PAGE_SIZE);
                Some(arena.place(EmptyResponse { revision: 0 })?)
            }
            id::HHDM => Some(arena.place(OneValueResponse { revision: 0, value: hhdm(0) })?),
            id::FRAMEBUFFER => match sources.display {
                Some(display) => Some(display.response(arena)?),
                None => {
                    log!("no linear framebuffer: framebuffer request left unanswered");
                    None
                }
            },
            id::PAGING_MODE => {
                let minimum = if request.revision >= 1 { word(kernel, 8) } else { protocol::PAGING_MODE_4_LEVEL };
                if minimum > protocol::PAGING_MODE_4_LEVEL {
                    return Err(Error::new(format_args!(
                        "the kernel requires 5-level paging; testboot provides 4-level only"
                    )));
                }
                Some(arena.place(OneValueResponse { revision: 0, value: protocol::PAGING_MODE_4_LEVEL })?)
            }
            id::MEMORY_MAP => {
                let reserved = MemoryMapResponse::reserve(arena, sources.memory_map_capacity)?;
                let response = reserved.response;
                answers.memory_map = Some(reserved);
                Some(response)
            }
            id::ENTRY_POINT => {
                answers.entry_point = word(kernel, 6);
                Some(arena.place(EmptyResponse { revision: 0 })?)
            }
            id::KERNEL_FILE => {
                let entry = sources.entry;
                let file = sources.kernel_file.describe(arena, &entry.kernel_path, &entry.cmdline, sources.volume)?;
                Some(arena.place(OneValueResponse { revision: 0, value: hhdm(file) })?)
            }
            id::MODULE => {
                if request.revision >= 1 && word(kernel, 6) > 0 {
                    log!(
                        "the kernel lists {} internal modules; testboot loads none (module response revision 0)",
                        word(kernel, 6)
                    );
                }
                modules_response(arena, sources)?
            }
            id::RSDP => match sources.rsdp {
                Some(rsdp) => Some(arena.place(OneValueResponse { revision: 0, value: hhdm(rsdp) })?),
                None => {
                    log!("no ACPI RSDP: RSDP request left unanswered");
                    None
                }
            },
            id::KERNEL_ADDRESS => {
                let (physical, virtual_base) = (kernel.physical_base, kernel.plan.virtual_base);
                Some(arena.place(TwoValueResponse { revision: 0, first: physical, second: virtual_base })?)
            }
            other => {
                let name =
                    protocol::UNANSWERED.iter().find(|(known, _)| *known == other).map_or("unknown", |(_, name)| name);
                log!("request {:#018x} {:#018x} ({name}) is not implemented; left unanswered", other[0], other[1]);
                None
            }
        };
        if let Some(response) = response {
            requests::set_response(kernel, request, hhdm(response));
        }
    }
    Ok(answers)
}

/// The module response, or `None` (unanswered) with no modules, as
/// Limine 8.2 does. Revision 0: internal modules are not honoured
/// (PROTOCOL.md, "Module Feature": they are "honoured if the module
/// response has revision >= 1").
fn modules_response(arena: &mut Arena, sources: &Sources) -> Result<Option<u64>, Error> {
    if sources.modules.is_empty() {
        log!("no modules configured: module request left unanswered (as Limine does)");
        return Ok(None);
    }
    let mut described = Vec::new();
    for (module, file) in sources.entry.modules.iter().zip(sources.modules) {
        described.push(file.describe(arena, &module.path, &module.cmdline, sources.volume)?);
    }
    Ok(Some(ListResponse::place(arena, 0, &described)?))
}
