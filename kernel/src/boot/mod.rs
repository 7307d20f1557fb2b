//! What Limine hands over, turned into one safe value.
//!
//! Limine finds the kernel's *requests* — magic-tagged statics placed
//! between two markers in the `.requests` section — and fills in a response
//! pointer for each one it answers before jumping to `kmain`
//! (Limine PROTOCOL.md, base revision 2). This module declares those
//! requests and, once, at the start of `kmain`, gathers the answers into a
//! [`BootInfo`] that the rest of the kernel reads without touching a raw
//! pointer. A request left unanswered becomes `None`, never a guess.
//!
//! The same code runs under the real Limine and under `tools/testboot`;
//! only the bootloader name it prints differs.
//!
//! Rank 1. `summary` prints what was found.

pub mod summary;

use bootinfo::{CommandLine, MemoryKind};
use limine::BaseRevision;
use limine::file::File;
use limine::firmware_type::FirmwareType;
use limine::framebuffer::Framebuffer;
use limine::memory_map::Entry;
use limine::request::{
    BootloaderInfoRequest, ExecutableAddressRequest, ExecutableFileRequest, FirmwareTypeRequest, FramebufferRequest,
    HhdmRequest, MemoryMapRequest, ModuleRequest, RequestsEndMarker, RequestsStartMarker, RsdpRequest,
    StackSizeRequest,
};

/// The protocol revision this kernel is written against (Limine 8.x
/// supports 0–2). Revision 2 makes the request markers binding.
pub const BASE_REVISION_WANTED: u64 = 2;

/// The stack Limine enters on. `arch::entry::_start` leaves it for the
/// kernel's own guarded stack within three instructions, so its size no
/// longer matters to the kernel; the request stays because the summary
/// reports the answer, which shows the bootloader (Limine or testboot)
/// honours the Stack Size feature.
const BOOT_STACK_BYTES: u64 = 256 * 1024;

// The requests. `#[used]` keeps each static although no code reads it
// directly, and the linker script `KEEP`s the sections, in this order.

#[used]
#[unsafe(link_section = ".requests_start_marker")]
static REQUESTS_START: RequestsStartMarker = RequestsStartMarker::new();

#[used]
#[unsafe(link_section = ".requests")]
static BASE_REVISION: BaseRevision = BaseRevision::with_revision(BASE_REVISION_WANTED);

#[used]
#[unsafe(link_section = ".requests")]
static BOOTLOADER_INFO: BootloaderInfoRequest = BootloaderInfoRequest::new();

#[used]
#[unsafe(link_section = ".requests")]
static FIRMWARE_TYPE: FirmwareTypeRequest = FirmwareTypeRequest::new();

#[used]
#[unsafe(link_section = ".requests")]
static STACK_SIZE: StackSizeRequest = StackSizeRequest::new().with_size(BOOT_STACK_BYTES);

#[used]
#[unsafe(link_section = ".requests")]
static HHDM: HhdmRequest = HhdmRequest::new();

#[used]
#[unsafe(link_section = ".requests")]
static MEMORY_MAP: MemoryMapRequest = MemoryMapRequest::new();

#[used]
#[unsafe(link_section = ".requests")]
static FRAMEBUFFER: FramebufferRequest = FramebufferRequest::new();

#[used]
#[unsafe(link_section = ".requests")]
static MODULES: ModuleRequest = ModuleRequest::new();

#[used]
#[unsafe(link_section = ".requests")]
static RSDP: RsdpRequest = RsdpRequest::new();

#[used]
#[unsafe(link_section = ".requests")]
static EXECUTABLE_ADDRESS: ExecutableAddressRequest = ExecutableAddressRequest::new();

/// Limine 8.x ignores the newer "executable command line" request; the
/// command line comes with the executable file's description instead.
#[used]
#[unsafe(link_section = ".requests")]
static EXECUTABLE_FILE: ExecutableFileRequest = ExecutableFileRequest::new();

#[used]
#[unsafe(link_section = ".requests_end_marker")]
static REQUESTS_END: RequestsEndMarker = RequestsEndMarker::new();

/// Everything the bootloader told us, as safe, `'static` data.
pub struct BootInfo {
    /// Bootloader name and version.
    pub bootloader: Option<(&'static str, &'static str)>,
    /// Whether the bootloader agreed to [`BASE_REVISION_WANTED`].
    pub base_revision_accepted: bool,
    pub firmware: Option<FirmwareType>,
    /// Bytes of boot stack actually granted, when the request was answered.
    pub stack_bytes: Option<u64>,
    /// Virtual address where physical address 0 is mapped (the HHDM).
    pub hhdm_offset: Option<u64>,
    pub memory_map: &'static [&'static Entry],
    pub framebuffer: Option<Framebuffer<'static>>,
    pub modules: &'static [&'static File],
    /// The ACPI RSDP, as the bootloader gave it (an HHDM address at base
    /// revision 2).
    pub rsdp_address: Option<usize>,
    /// Where the kernel image sits: (physical base, virtual base).
    pub kernel_address: Option<(u64, u64)>,
    pub kernel_path: &'static str,
    pub cmdline: CommandLine<'static>,
}

/// Reads every response once. Call at the top of `kmain`, before anything
/// could overwrite bootloader-reclaimable memory.
pub fn info() -> BootInfo {
    let executable = EXECUTABLE_FILE.get_response().map(|response| response.file());
    BootInfo {
        bootloader: BOOTLOADER_INFO.get_response().map(|response| (response.name(), response.version())),
        base_revision_accepted: BASE_REVISION.is_supported(),
        firmware: FIRMWARE_TYPE.get_response().map(|response| response.firmware_type()),
        stack_bytes: STACK_SIZE.get_response().map(|_| BOOT_STACK_BYTES),
        hhdm_offset: HHDM.get_response().map(|response| response.offset()),
        memory_map: MEMORY_MAP.get_response().map_or(&[], |response| response.entries()),
        framebuffer: FRAMEBUFFER.get_response().and_then(|response| response.framebuffers().next()),
        modules: MODULES.get_response().map_or(&[], |response| response.modules()),
        rsdp_address: RSDP.get_response().map(|response| response.address()),
        kernel_address: EXECUTABLE_ADDRESS
            .get_response()
            .map(|response| (response.physical_base(), response.virtual_base())),
        kernel_path: executable.map_or("", |file| text(file.path().to_bytes())),
        cmdline: CommandLine::new(executable.map_or("", |file| text(file.string().to_bytes()))),
    }
}

/// A module's contents. Limine loads each module into memory it marks
/// "executable and modules" and never reuses, so the bytes live as long as
/// the kernel.
pub fn module_bytes(module: &File) -> &'static [u8] {
    if module.addr().is_null() || module.size() == 0 {
        return &[];
    }
    // SAFETY: the bootloader guarantees `size` bytes at `addr` (an HHDM
    // address) hold the module, mapped for the kernel's lifetime and not
    // counted as usable memory, so nothing else writes them.
    unsafe { core::slice::from_raw_parts(module.addr(), module.size() as usize) }
}

/// The protocol's number for a memory-map entry's type, as our own
/// [`MemoryKind`]; unknown numbers are kept, not folded into "reserved".
pub fn memory_kind(entry: &Entry) -> MemoryKind {
    // SAFETY: `EntryType` is `#[repr(transparent)]` over the protocol's
    // `uint64_t type` (limine 0.5.0, memory_map.rs), so both have the same
    // size and every bit pattern is a valid `u64`.
    let number: u64 = unsafe { core::mem::transmute(entry.entry_type) };
    MemoryKind::from_protocol(number)
}

/// Bootloader strings are C strings of unknown encoding: show them only if
/// they are UTF-8, and say so otherwise.
fn text(bytes: &'static [u8]) -> &'static str {
    core::str::from_utf8(bytes).unwrap_or("<not UTF-8>")
}
