//! `irq_to_gsi`: where each ISA IRQ arrives on QEMU q35, and how.

use super::*;
use crate::{IrqRoute, Madt, Polarity, Table, Trigger};

fn q35() -> Madt {
    Madt::parse(&Table::from_bytes(MADT_ADDRESS, &q35_madt(2).build()).unwrap()).unwrap()
}

fn route(gsi: u32, polarity: Polarity, trigger: Trigger) -> IrqRoute {
    IrqRoute { gsi, polarity, trigger }
}

#[test]
fn the_timer_irq_is_moved_to_gsi_2_with_isa_signalling() {
    // QEMU's override says "conforming" for both: on ISA that is edge, active-high.
    assert_eq!(q35().irq_to_gsi(0), route(2, Polarity::ActiveHigh, Trigger::Edge));
}

#[test]
fn pci_irqs_keep_their_number_but_become_level_triggered() {
    for irq in [5, 9, 10, 11] {
        assert_eq!(q35().irq_to_gsi(irq), route(u32::from(irq), Polarity::ActiveHigh, Trigger::Level));
    }
}

#[test]
fn an_irq_without_an_override_maps_to_the_same_gsi_edge_active_high() {
    assert_eq!(q35().irq_to_gsi(1), route(1, Polarity::ActiveHigh, Trigger::Edge)); // keyboard
    assert_eq!(q35().irq_to_gsi(4), route(4, Polarity::ActiveHigh, Trigger::Edge)); // COM1
    assert_eq!(q35().irq_to_gsi(255), route(255, Polarity::ActiveHigh, Trigger::Edge));
}

#[test]
fn an_active_low_override_stays_active_low() {
    let madt = MadtBuilder::new(QEMU_LOCAL_APIC_ADDRESS, 1).source_override(9, 20, 0b1111).build();
    let madt = Madt::parse(&Table::from_bytes(MADT_ADDRESS, &madt).unwrap()).unwrap();
    assert_eq!(madt.irq_to_gsi(9), route(20, Polarity::ActiveLow, Trigger::Level));
}

#[test]
fn the_first_override_for_an_irq_wins() {
    let madt = MadtBuilder::new(QEMU_LOCAL_APIC_ADDRESS, 1).source_override(0, 2, 0).source_override(0, 7, 0).build();
    let madt = Madt::parse(&Table::from_bytes(MADT_ADDRESS, &madt).unwrap()).unwrap();
    assert_eq!(madt.irq_to_gsi(0).gsi, 2);
}
