//! The screen: picks a GOP mode and describes its framebuffer.
//!
//! Limine 8.2 with no `resolution:` option tries the monitor's preferred
//! resolution from EDID, then keeps the firmware's current mode
//! (common/drivers/gop.c). Under QEMU `-vga std` OVMF offers no EDID
//! protocol but already runs at the EDID's 1280×800, so Limine hands over
//! 1280×800. testboot chooses the same way, with 1280×800 as an explicit
//! second choice: EDID's preferred mode, else 1280×800, else the current
//! mode — always a 32-bpp linear mode. GOP is opened non-exclusively so
//! the firmware console keeps drawing (BOOT-FACTS.md).
//!
//! The framebuffer response has revision 1, so `struct limine_framebuffer`
//! carries the list of modes the GOP offers (PROTOCOL.md, "Framebuffer
//! Feature"). Its address is the framebuffer's HHDM alias, which
//! `address_space` maps write-combining. The EDID blob, when the firmware
//! has one, is copied into reclaimable memory; otherwise `edid` is NULL.

use alloc::vec::Vec;

use uefi::boot;
use uefi::proto::console::gop::{EdidDiscovered, GraphicsOutput, ModeInfo, PixelFormat};
use uefi::proto::unsafe_protocol;

use crate::files::open_shared;
use crate::memory::{Arena, hhdm};
use crate::protocol::{Framebuffer, ListResponse, MEMORY_MODEL_RGB, PixelMasks, VideoMode};
use crate::{Error, log};

/// Framebuffer response revision that includes `mode_count` and `modes`.
const RESPONSE_REVISION: u64 = 1;
/// The resolution to prefer when the monitor states none.
const FALLBACK_RESOLUTION: (usize, usize) = (1280, 800);
/// Offset of the first detailed timing descriptor in an EDID block (VESA
/// E-EDID 1.4, 3.10): the monitor's preferred mode.
const EDID_PREFERRED_TIMING: usize = 54;

/// `EFI_EDID_ACTIVE_PROTOCOL` (UEFI 2.10, 12.9.2), which the `uefi` crate
/// lacks; laid out like its EDID Discovered twin. Limine asks for it first.
#[repr(C)]
struct EdidActiveProtocol {
    size_of_edid: u32,
    edid: *const u8,
}

#[repr(transparent)]
#[unsafe_protocol("bd8c1056-9f36-44ec-92a8-a6337f817986")]
struct EdidActive(EdidActiveProtocol);

/// The chosen framebuffer, in the terms of `struct limine_framebuffer`.
pub struct Display {
    /// Physical address of pixel (0, 0).
    pub base: u64,
    pub width: u64,
    pub height: u64,
    pub pitch: u64,
    pub bpp: u16,
    pub masks: PixelMasks,
    pub edid: Option<Vec<u8>>,
    /// Every mode the GOP offers with a linear framebuffer.
    pub modes: Vec<VideoMode>,
}

impl Display {
    /// Bytes of the framebuffer, as Limine marks it in the memory map.
    pub fn bytes(&self) -> u64 {
        self.pitch * self.height
    }

    /// Blanks the screen, as Limine leaves it for the kernel.
    pub fn clear(&self) {
        // SAFETY: `base` is the GOP framebuffer of `bytes()` bytes for the
        // current mode, identity-mapped by UEFI; nothing else draws now.
        unsafe { core::ptr::write_bytes(self.base as *mut u8, 0, self.bytes() as usize) };
    }

    /// Places the framebuffer response; returns its physical address.
    pub fn response(&self, arena: &mut Arena) -> Result<u64, Error> {
        let mut mode_addresses = Vec::new();
        for mode in &self.modes {
            mode_addresses.push(hhdm(arena.place(*mode)?));
        }
        let modes = arena.place_slice(&mode_addresses)?;
        let (edid, edid_size) = match &self.edid {
            Some(blob) => (hhdm(arena.place_slice(blob)?), blob.len() as u64),
            None => (0, 0),
        };
        let framebuffer = Framebuffer {
            address: hhdm(self.base),
            width: self.width,
            height: self.height,
            pitch: self.pitch,
            bpp: self.bpp,
            memory_model: MEMORY_MODEL_RGB,
            masks: self.masks,
            edid_size,
            edid,
            mode_count: self.modes.len() as u64,
            modes: hhdm(modes),
            ..Framebuffer::default()
        };
        let placed = arena.place(framebuffer)?;
        ListResponse::place(arena, RESPONSE_REVISION, &[placed])
    }
}

/// Chooses and sets a mode; `None` if there is no usable GOP.
pub fn set_up() -> Option<Display> {
    let handle = boot::get_handle_for_protocol::<GraphicsOutput>().ok()?;
    let mut gop = open_shared::<GraphicsOutput>(handle).ok()?;
    let edid = read_edid(handle);
    let preferred = edid.as_deref().and_then(preferred_resolution);
    let usable = |info: &ModeInfo| masks_and_bpp(info).is_some_and(|(_, bpp)| bpp == 32);
    let find = |resolution: (usize, usize)| {
        gop.modes().find(|mode| usable(mode.info()) && mode.info().resolution() == resolution)
    };
    let chosen = preferred.and_then(find).or_else(|| find(FALLBACK_RESOLUTION));
    if let Some(mode) = chosen
        && *mode.info() != gop.current_mode_info()
        && gop.set_mode(&mode).is_err()
    {
        log!("could not switch the display to {:?}; keeping the current mode", mode.info().resolution());
    }

    let info = gop.current_mode_info();
    let (masks, bpp) = masks_and_bpp(&info).filter(|&(_, bpp)| bpp == 32)?;
    let modes = gop.modes().filter_map(|mode| video_mode(mode.info())).collect();
    let (width, height) = info.resolution();
    Some(Display {
        base: gop.frame_buffer().as_mut_ptr() as u64,
        width: width as u64,
        height: height as u64,
        pitch: info.stride() as u64 * 4,
        bpp,
        masks,
        edid,
        modes,
    })
}

/// The monitor's EDID, from EDID Active, else EDID Discovered.
fn read_edid(handle: uefi::Handle) -> Option<Vec<u8>> {
    if let Ok(active) = open_shared::<EdidActive>(handle) {
        let size = active.0.size_of_edid as usize;
        if !active.0.edid.is_null() && size > 0 {
            // SAFETY: the protocol promises `size_of_edid` readable bytes at
            // `edid` while it is open; they are copied before it closes.
            return Some(unsafe { core::slice::from_raw_parts(active.0.edid, size) }.to_vec());
        }
    }
    let discovered = open_shared::<EdidDiscovered>(handle).ok()?;
    discovered.edid().filter(|edid| !edid.is_empty()).map(<[u8]>::to_vec)
}

/// Width and height of the first detailed timing descriptor, if it is one
/// (a zero pixel clock marks a display descriptor instead).
fn preferred_resolution(edid: &[u8]) -> Option<(usize, usize)> {
    let timing = edid.get(EDID_PREFERRED_TIMING..EDID_PREFERRED_TIMING + 18)?;
    if timing[0] == 0 && timing[1] == 0 {
        return None;
    }
    let width = usize::from(timing[2]) | (usize::from(timing[4] & 0xf0) << 4);
    let height = usize::from(timing[5]) | (usize::from(timing[7] & 0xf0) << 4);
    Some((width, height))
}

/// A mode as `struct limine_video_mode`, if it has a linear framebuffer.
fn video_mode(info: &ModeInfo) -> Option<VideoMode> {
    let (masks, bpp) = masks_and_bpp(info)?;
    let (width, height) = info.resolution();
    Some(VideoMode {
        pitch: (info.stride() * usize::from(bpp / 8)) as u64,
        width: width as u64,
        height: height as u64,
        bpp,
        memory_model: MEMORY_MODEL_RGB,
        masks,
    })
}

/// Colour layout and bits per pixel of a mode, computed as Limine does.
fn masks_and_bpp(info: &ModeInfo) -> Option<(PixelMasks, u16)> {
    let bytes_8_8_8 = |red_shift, blue_shift| PixelMasks {
        red_size: 8,
        red_shift,
        green_size: 8,
        green_shift: 8,
        blue_size: 8,
        blue_shift,
    };
    match info.pixel_format() {
        PixelFormat::Rgb => Some((bytes_8_8_8(0, 16), 32)),
        PixelFormat::Bgr => Some((bytes_8_8_8(16, 0), 32)),
        PixelFormat::Bitmask => {
            let bits = info.pixel_bitmask()?;
            let all = bits.red | bits.green | bits.blue | bits.reserved;
            let (red_size, red_shift) = size_and_shift(bits.red);
            let (green_size, green_shift) = size_and_shift(bits.green);
            let (blue_size, blue_shift) = size_and_shift(bits.blue);
            let masks = PixelMasks { red_size, red_shift, green_size, green_shift, blue_size, blue_shift };
            Some((masks, (32 - all.leading_zeros()) as u16))
        }
        PixelFormat::BltOnly => None,
    }
}

fn size_and_shift(mask: u32) -> (u8, u8) {
    if mask == 0 {
        return (0, 0);
    }
    let shift = mask.trailing_zeros();
    ((mask >> shift).trailing_ones() as u8, shift as u8)
}
