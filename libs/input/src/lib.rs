//! The input path, from a device byte to a finished line, without the devices.
//!
//! A person at the keyboard and a test driving the serial port should look
//! the same to the kernel. Both end up here, in four pieces that each do one
//! job and can be tested on the host with `cargo test -p input`:
//!
//! - [`KeyboardDecoder`]: PS/2 scancodes (set 1, which the 8042 translates
//!   the keyboard's set 2 into) to [`Key`]s, through the `pc-keyboard` crate,
//!   which tracks shift, caps lock and the `0xE0` extended prefix for us.
//! - [`SerialDecoder`]: bytes from a serial terminal to the same [`Key`]s,
//!   including the `ESC [ ...` sequences a terminal sends for arrow keys.
//! - [`Ring`]: a fixed-size, lock-free queue from the interrupt handlers to
//!   the input loop. An interrupt handler may not wait for anyone, so when
//!   the queue is full it drops the new item and counts it instead.
//! - [`LineEditor`]: the terminal's "cooked mode". It keeps the line being
//!   typed, moves a cursor through it, and writes exactly the bytes a dumb
//!   terminal needs to show each edit. Enter hands over the finished line.
//!
//! Nothing here allocates: the kernel calls the decoders and the ring from
//! interrupt handlers, where taking the heap lock could deadlock, and the
//! same code is meant to run in user space later.
//!
//! Rank 5. The kernel's keyboard and serial interrupt handlers push into a
//! [`Ring`]; its input loop pops, decodes and feeds a [`LineEditor`].
#![cfg_attr(not(test), no_std)]

mod editor;
mod key;
mod keyboard;
mod ring;
mod serial;

pub use editor::LineEditor;
pub use key::Key;
pub use keyboard::KeyboardDecoder;
pub use ring::Ring;
pub use serial::SerialDecoder;

#[cfg(test)]
mod tests;
