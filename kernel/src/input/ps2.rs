//! The 8042 PS/2 controller and the keyboard behind it.
//!
//! Bringing it up is a conversation: send a command to port 0x64, wait for
//! the controller to be ready, read its answer from port 0x60. Every wait
//! here is bounded, because the controller may not exist (many new PCs and
//! QEMU's `-machine q35,i8042=off` have none), and a kernel that spins
//! forever on a missing device never boots. The sequence follows OSDev's
//! "8042 PS/2 Controller" and the IBM PS/2 technical reference:
//! disable both ports, flush, read the configuration byte, self-test,
//! interface-test port 1, enable it, reset the keyboard, then turn on the
//! port's interrupt (IRQ 1) with translation to scancode set 1 kept on.
//!
//! Rank 5.

use crate::arch::port::{self, Port};
use crate::boot::summary::field;

const STATUS_OUTPUT_FULL: u8 = 1 << 0;
const STATUS_INPUT_FULL: u8 = 1 << 1;

const COMMAND_READ_CONFIG: u8 = 0x20;
const COMMAND_WRITE_CONFIG: u8 = 0x60;
const COMMAND_DISABLE_PORT_2: u8 = 0xa7;
const COMMAND_SELF_TEST: u8 = 0xaa;
const COMMAND_TEST_PORT_1: u8 = 0xab;
const COMMAND_DISABLE_PORT_1: u8 = 0xad;
const COMMAND_ENABLE_PORT_1: u8 = 0xae;

const CONFIG_PORT_1_INTERRUPT: u8 = 1 << 0;
const CONFIG_PORT_2_INTERRUPT: u8 = 1 << 1;
/// Set: port 1's clock is off (the port is disabled).
const CONFIG_PORT_1_CLOCK_OFF: u8 = 1 << 4;
const CONFIG_PORT_1_TRANSLATION: u8 = 1 << 6;

const SELF_TEST_PASSED: u8 = 0x55;
const PORT_TEST_PASSED: u8 = 0x00;
const KEYBOARD_RESET: u8 = 0xff;
const KEYBOARD_ACK: u8 = 0xfa;
const KEYBOARD_SELF_TEST_PASSED: u8 = 0xaa;

/// Status polls before a wait gives up. Each `in` is a trip to the device
/// model (about a microsecond under QEMU, similar on hardware), so this is
/// in the order of a tenth of a second.
const POLLS: u32 = 100_000;
/// The keyboard's reset self-test is slower: allow ten times longer.
const RESET_POLLS: u32 = 1_000_000;

/// Why the controller or keyboard could not be brought up.
#[derive(Debug)]
pub enum Ps2Error {
    /// Nothing answered the self-test: no controller.
    Absent,
    /// An answer other than the expected one.
    Failed { step: &'static str, got: u8, wanted: u8 },
    /// The controller stopped answering mid-way.
    Timeout { step: &'static str },
}

impl core::fmt::Display for Ps2Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Absent => f.write_str("no PS/2 controller answered"),
            Self::Failed { step, got, wanted } => write!(f, "{step} answered {got:#04x}, wanted {wanted:#04x}"),
            Self::Timeout { step } => write!(f, "{step}: no answer in time"),
        }
    }
}

fn status() -> u8 {
    // SAFETY: reading the 8042 status register has no side effects.
    unsafe { Port::<u8>::new(port::PS2_STATUS_COMMAND).read() }
}

/// Waits until the controller can take a byte.
fn wait_writable(step: &'static str) -> Result<(), Ps2Error> {
    (0..POLLS).find(|_| status() & STATUS_INPUT_FULL == 0).map(|_| ()).ok_or(Ps2Error::Timeout { step })
}

/// Waits for a byte from the controller (or the device behind it).
fn read_data(step: &'static str, polls: u32) -> Result<u8, Ps2Error> {
    (0..polls).find(|_| status() & STATUS_OUTPUT_FULL != 0).ok_or(Ps2Error::Timeout { step })?;
    // SAFETY: the output buffer is full, so this consumes exactly that byte.
    Ok(unsafe { Port::<u8>::new(port::PS2_DATA).read() })
}

fn command(byte: u8, step: &'static str) -> Result<(), Ps2Error> {
    wait_writable(step)?;
    // SAFETY: an 8042 controller command; it changes only controller state.
    unsafe { Port::<u8>::new(port::PS2_STATUS_COMMAND).write(byte) };
    Ok(())
}

fn write_data(byte: u8, step: &'static str) -> Result<(), Ps2Error> {
    wait_writable(step)?;
    // SAFETY: a byte for the controller (after a command) or the device.
    unsafe { Port::<u8>::new(port::PS2_DATA).write(byte) };
    Ok(())
}

fn expect(step: &'static str, got: u8, wanted: u8) -> Result<u8, Ps2Error> {
    if got == wanted { Ok(got) } else { Err(Ps2Error::Failed { step, got, wanted }) }
}

/// Discards whatever the controller still holds (a key pressed during
/// boot, a reply nobody read). Bounded, like everything here.
fn flush() {
    for _ in 0..64 {
        if status() & STATUS_OUTPUT_FULL == 0 {
            return;
        }
        // SAFETY: consuming a stale byte is the point.
        unsafe { Port::<u8>::new(port::PS2_DATA).read() };
    }
}

/// Brings the controller and keyboard up, reporting each answer, and
/// leaves the keyboard's interrupt enabled at the controller (the caller
/// unmasks IRQ 1 at the I/O APIC).
pub fn init() -> Result<(), Ps2Error> {
    // A floating bus reads 0xff: no controller decodes these ports.
    if status() == 0xff {
        return Err(Ps2Error::Absent);
    }
    command(COMMAND_DISABLE_PORT_1, "disable port 1")?;
    command(COMMAND_DISABLE_PORT_2, "disable port 2")?;
    flush();

    command(COMMAND_READ_CONFIG, "read configuration")?;
    let config = read_data("read configuration", POLLS).map_err(|_| Ps2Error::Absent)?;
    field("ps2 config", format_args!("{config:#04x} read back"));
    let quiet = (config & !(CONFIG_PORT_1_INTERRUPT | CONFIG_PORT_2_INTERRUPT)) | CONFIG_PORT_1_TRANSLATION;
    command(COMMAND_WRITE_CONFIG, "write configuration")?;
    write_data(quiet, "write configuration")?;

    command(COMMAND_SELF_TEST, "controller self-test")?;
    let answer = read_data("controller self-test", POLLS)?;
    field("ps2 self-test", format_args!("{answer:#04x} ({})", verdict(answer == SELF_TEST_PASSED)));
    expect("controller self-test", answer, SELF_TEST_PASSED)?;
    // Some controllers reset on self-test: write the configuration again.
    command(COMMAND_WRITE_CONFIG, "write configuration")?;
    write_data(quiet, "write configuration")?;

    command(COMMAND_TEST_PORT_1, "port 1 test")?;
    let answer = read_data("port 1 test", POLLS)?;
    field("ps2 port 1", format_args!("interface test {answer:#04x} ({})", verdict(answer == PORT_TEST_PASSED)));
    expect("port 1 test", answer, PORT_TEST_PASSED)?;
    command(COMMAND_ENABLE_PORT_1, "enable port 1")?;

    write_data(KEYBOARD_RESET, "keyboard reset")?;
    let ack = read_data("keyboard reset", RESET_POLLS)?;
    let result = read_data("keyboard self-test", RESET_POLLS)?;
    let passed = ack == KEYBOARD_ACK && result == KEYBOARD_SELF_TEST_PASSED;
    field("ps2 keyboard", format_args!("reset answered {ack:#04x} {result:#04x} ({})", verdict(passed)));
    expect("keyboard reset", ack, KEYBOARD_ACK)?;
    expect("keyboard self-test", result, KEYBOARD_SELF_TEST_PASSED)?;
    flush();

    // The byte read at the start says port 1 is off (we disabled it), so
    // the final configuration must turn its clock back on, not restore that.
    let running = (quiet & !CONFIG_PORT_1_CLOCK_OFF) | CONFIG_PORT_1_INTERRUPT;
    command(COMMAND_WRITE_CONFIG, "write configuration")?;
    write_data(running, "write configuration")?;
    Ok(())
}

fn verdict(passed: bool) -> &'static str {
    if passed { "passed" } else { "FAILED" }
}

/// The scancode waiting in the controller, from the IRQ 1 handler.
pub fn read_scancode() -> Option<u8> {
    if status() & STATUS_OUTPUT_FULL == 0 {
        return None;
    }
    // SAFETY: the output buffer is full; reading consumes that scancode.
    Some(unsafe { Port::<u8>::new(port::PS2_DATA).read() })
}
