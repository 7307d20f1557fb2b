//! Pixels and glyphs: everything the screen does, without the screen.
//!
//! Under UEFI there is no VGA text mode; every character is painted into a
//! linear framebuffer. This crate holds that painting — a [`Canvas`] over a
//! `&mut [u32]` of pixels, `font8x8` glyphs scaled to a readable size, and
//! a [`Console`] that turns a byte stream (with `\n`, `\t`, `\r` and a few
//! ANSI colour escapes) into cells and scrolls when the screen is full.
//! Nothing here touches hardware, so `cargo test` renders into a `Vec<u32>`
//! and compares pixels; the kernel's `display` module only hands over the
//! framebuffer memory.
//!
//! Rank 2.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

pub mod canvas;
pub mod colour;
pub mod console;
pub mod glyph;
mod sgr;

pub use canvas::Canvas;
pub use colour::{PixelFormat, Rgb};
pub use console::{Cell, Console};
