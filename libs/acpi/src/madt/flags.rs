//! Polarity and trigger mode: how an interrupt line signals.
//!
//! Interrupt Source Overrides and NMI entries carry the 16-bit "MPS INTI
//! flags" inherited from the Intel MultiProcessor Specification (ACPI 6.5,
//! 5.2.12.5): bits 0-1 give the polarity, bits 2-3 the trigger
//! mode. Both may say "conforms to the bus", which for the ISA bus means
//! active-high and edge-triggered. The I/O APIC must be programmed with the
//! real values, or a level-triggered line such as QEMU's SCI (IRQ 9) fires
//! once and never again, or fires forever.
//!
//! Values are decoded into enums, not kept as bits, so that a `match`
//! names every case; the reserved encodings stay visible as `Reserved`
//! rather than being guessed at.

const POLARITY_MASK: u16 = 0b11;
const TRIGGER_SHIFT: u16 = 2;
const TRIGGER_MASK: u16 = 0b11;

/// Which voltage level means "asserted".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Polarity {
    /// Whatever the bus specifies: active-high for ISA.
    #[default]
    Conforming,
    ActiveHigh,
    ActiveLow,
    /// Encoding `0b10`, which ACPI reserves.
    Reserved,
}

/// Whether the line signals by an edge or by holding a level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Trigger {
    /// Whatever the bus specifies: edge for ISA.
    #[default]
    Conforming,
    Edge,
    Level,
    /// Encoding `0b10`, which ACPI reserves.
    Reserved,
}

/// The decoded MPS INTI flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InterruptFlags {
    pub polarity: Polarity,
    pub trigger: Trigger,
}

impl InterruptFlags {
    pub fn from_bits(bits: u16) -> InterruptFlags {
        let polarity = match bits & POLARITY_MASK {
            0b00 => Polarity::Conforming,
            0b01 => Polarity::ActiveHigh,
            0b11 => Polarity::ActiveLow,
            _ => Polarity::Reserved,
        };
        let trigger = match (bits >> TRIGGER_SHIFT) & TRIGGER_MASK {
            0b00 => Trigger::Conforming,
            0b01 => Trigger::Edge,
            0b11 => Trigger::Level,
            _ => Trigger::Reserved,
        };
        InterruptFlags { polarity, trigger }
    }

    /// The flags with "conforming" replaced by what the ISA bus specifies:
    /// active-high, edge-triggered. Reserved encodings, which correct
    /// firmware never writes, get the same defaults: any choice is a guess,
    /// and this one treats the line like an ISA IRQ without an override.
    pub fn resolved_for_isa(self) -> InterruptFlags {
        let polarity = match self.polarity {
            Polarity::ActiveLow => Polarity::ActiveLow,
            Polarity::ActiveHigh | Polarity::Conforming | Polarity::Reserved => Polarity::ActiveHigh,
        };
        let trigger = match self.trigger {
            Trigger::Level => Trigger::Level,
            Trigger::Edge | Trigger::Conforming | Trigger::Reserved => Trigger::Edge,
        };
        InterruptFlags { polarity, trigger }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_means_conforming_for_both_fields() {
        let flags = InterruptFlags::from_bits(0);
        assert_eq!(flags, InterruptFlags { polarity: Polarity::Conforming, trigger: Trigger::Conforming });
    }

    #[test]
    fn decodes_polarity_from_bits_0_and_1_and_trigger_from_bits_2_and_3() {
        // 0xd is what QEMU writes for its PCI interrupts: active-high, level.
        assert_eq!(
            InterruptFlags::from_bits(0xd),
            InterruptFlags { polarity: Polarity::ActiveHigh, trigger: Trigger::Level }
        );
        assert_eq!(
            InterruptFlags::from_bits(0b0111),
            InterruptFlags { polarity: Polarity::ActiveLow, trigger: Trigger::Edge }
        );
        assert_eq!(InterruptFlags::from_bits(0b1010).polarity, Polarity::Reserved);
        assert_eq!(InterruptFlags::from_bits(0b1010).trigger, Trigger::Reserved);
    }

    #[test]
    fn ignores_bits_above_the_trigger_mode() {
        assert_eq!(InterruptFlags::from_bits(0xfff0), InterruptFlags::from_bits(0));
    }

    #[test]
    fn conforming_resolves_to_active_high_edge_on_isa() {
        let resolved = InterruptFlags::from_bits(0).resolved_for_isa();
        assert_eq!(resolved, InterruptFlags { polarity: Polarity::ActiveHigh, trigger: Trigger::Edge });
    }

    #[test]
    fn explicit_values_survive_resolution() {
        let active_low_level = InterruptFlags::from_bits(0b1111);
        assert_eq!(active_low_level.resolved_for_isa(), active_low_level);
    }
}
