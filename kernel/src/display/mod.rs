//! The screen: Limine's framebuffer as a canvas and a text console.
//!
//! Under UEFI there is no text mode, so every character is painted. The
//! painting itself (canvas, glyphs, cursor, scrolling, colour escapes) is
//! `libs/text`, tested on the host; this module only turns the framebuffer
//! Limine describes into a safe `&'static mut [u32]` — once, here — and
//! keeps the one console behind a lock that `kprint!` and the panic
//! handler share.
//!
//! Rank 2.

use core::fmt::{self, Write};
use core::sync::atomic::{AtomicBool, Ordering};

use limine::framebuffer::{Framebuffer, MemoryModel};
use spin::Mutex;
use text::colour::Channel;
use text::{Canvas, Cell, Console, PixelFormat};
use x86_64::instructions::interrupts;

/// Cells the grid can hold: 240×150 covers 1920×1200 at scale 1, and
/// larger screens get a larger scale. 3 bytes each.
const MAX_CELLS: usize = 240 * 150;

static CONSOLE: Mutex<Option<Console<'static>>> = Mutex::new(None);

/// The console's grid, handed to it once by `init` (which fills it with
/// blanks). All-zero here so its 105 KiB live in `.bss`, not in the file.
static mut CELLS: [Cell; MAX_CELLS] = [Cell { byte: 0, fg: 0, bg: 0 }; MAX_CELLS];
static CELLS_TAKEN: AtomicBool = AtomicBool::new(false);

/// The console's shape, for the boot log.
#[derive(Clone, Copy, Debug)]
pub struct Geometry {
    pub columns: usize,
    pub rows: usize,
    pub cell_pixels: usize,
    pub scale: usize,
}

/// Why there is no screen.
#[derive(Clone, Copy, Debug)]
pub enum NoScreen {
    NoFramebuffer,
    Unsupported(&'static str),
    AlreadyStarted,
}

impl fmt::Display for NoScreen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoFramebuffer => f.write_str("the bootloader gave no framebuffer"),
            Self::Unsupported(why) => write!(f, "unsupported framebuffer: {why}"),
            Self::AlreadyStarted => f.write_str("the console was already started"),
        }
    }
}

/// Takes over the framebuffer and clears it. Call once, early in `kmain`;
/// from then on `kprint!` draws on screen too.
pub fn init(framebuffer: Option<&Framebuffer<'static>>) -> Result<Geometry, NoScreen> {
    let framebuffer = framebuffer.ok_or(NoScreen::NoFramebuffer)?;
    if framebuffer.bpp() != 32 || framebuffer.memory_model() != MemoryModel::RGB {
        return Err(NoScreen::Unsupported("only 32-bit RGB pixels are drawn"));
    }
    if framebuffer.pitch() % 4 != 0 {
        return Err(NoScreen::Unsupported("the pitch is not a whole number of pixels"));
    }
    let format = PixelFormat {
        red: Channel { size: framebuffer.red_mask_size(), shift: framebuffer.red_mask_shift() },
        green: Channel { size: framebuffer.green_mask_size(), shift: framebuffer.green_mask_shift() },
        blue: Channel { size: framebuffer.blue_mask_size(), shift: framebuffer.blue_mask_shift() },
    };
    let (width, height) = (framebuffer.width() as usize, framebuffer.height() as usize);
    let stride = framebuffer.pitch() as usize / 4;
    if CELLS_TAKEN.swap(true, Ordering::AcqRel) {
        return Err(NoScreen::AlreadyStarted);
    }

    // SAFETY: Limine maps the framebuffer for the kernel's whole lifetime
    // and reports it once; `pitch * height` bytes from `addr` are video
    // memory nothing else in the kernel touches (this is the only place
    // that reads the response's address), and `addr` is 4-byte aligned
    // because the pitch and the base of a 32-bpp mode are.
    let pixels: &'static mut [u32] =
        unsafe { core::slice::from_raw_parts_mut(framebuffer.addr().cast::<u32>(), stride * height) };
    let cells_ptr: *mut [Cell; MAX_CELLS] = &raw mut CELLS;
    // SAFETY: `CELLS_TAKEN` was false and is now true, so this is the one
    // and only reference ever made to `CELLS`.
    let cells: &'static mut [Cell] = unsafe { &mut *cells_ptr };

    let canvas = Canvas::new(pixels, width, height, stride, format).ok_or(NoScreen::Unsupported("bad geometry"))?;
    let console = Console::new(canvas, cells, Console::scale_for(height));
    let geometry = Geometry {
        columns: console.columns(),
        rows: console.rows(),
        cell_pixels: console.cell_size(),
        scale: console.scale(),
    };
    interrupts::without_interrupts(|| *CONSOLE.lock() = Some(console));
    Ok(geometry)
}

/// Draws formatted text on the console, if there is one.
pub fn write_fmt(args: fmt::Arguments) {
    interrupts::without_interrupts(|| {
        if let Some(console) = CONSOLE.lock().as_mut() {
            // Drawing cannot fail; a formatting error is the caller's.
            let _ = console.write_fmt(args);
        }
    });
}

/// Runs `f` with the console (for scenarios that draw pixels directly).
pub fn with_console<R>(f: impl FnOnce(&mut Console<'static>) -> R) -> Option<R> {
    interrupts::without_interrupts(|| CONSOLE.lock().as_mut().map(f))
}

/// Like [`with_console`], but gives up instead of waiting when the console
/// is busy: for interrupt handlers, which must never wait for a lock the
/// code they interrupted may hold.
pub fn try_with_console<R>(f: impl FnOnce(&mut Console<'static>) -> R) -> Option<R> {
    interrupts::without_interrupts(|| CONSOLE.try_lock()?.as_mut().map(f))
}

/// Makes the console usable by a panic report, whatever it was doing.
///
/// # Safety
/// Only for the panic path: the caller must ensure nothing else will use
/// the console concurrently (one CPU, interrupts off, never returning).
pub unsafe fn recover_for_panic() {
    // SAFETY: the caller guarantees the lock's holder never runs again, so
    // breaking the lock cannot let two writers draw at once.
    unsafe { CONSOLE.force_unlock() };
    if let Some(console) = CONSOLE.lock().as_mut() {
        console.recover();
    }
}
