//! Colours, and how a framebuffer wants them packed into a pixel.
//!
//! Limine describes the pixel layout with a size and a shift per channel
//! (PROTOCOL.md, "Framebuffer Feature"); QEMU's `std` VGA gives 8 bits
//! each at shifts 16, 8 and 0 — but a real card may not, so the packing is
//! computed from the description, never assumed.

/// A colour as people write it: `#rrggbb`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub const BLACK: Rgb = Rgb(0, 0, 0);
    pub const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);
}

/// The classic 16-colour VGA palette, in ANSI order: the colours SGR
/// codes 30–37 (and 90–97 for the bright half) select.
pub const PALETTE: [Rgb; 16] = [
    Rgb(0x00, 0x00, 0x00), // black
    Rgb(0xaa, 0x00, 0x00), // red
    Rgb(0x00, 0xaa, 0x00), // green
    Rgb(0xaa, 0x55, 0x00), // brown / dark yellow
    Rgb(0x00, 0x00, 0xaa), // blue
    Rgb(0xaa, 0x00, 0xaa), // magenta
    Rgb(0x00, 0xaa, 0xaa), // cyan
    Rgb(0xaa, 0xaa, 0xaa), // light grey
    Rgb(0x55, 0x55, 0x55), // dark grey
    Rgb(0xff, 0x55, 0x55), // bright red
    Rgb(0x55, 0xff, 0x55), // bright green
    Rgb(0xff, 0xff, 0x55), // yellow
    Rgb(0x55, 0x55, 0xff), // bright blue
    Rgb(0xff, 0x55, 0xff), // bright magenta
    Rgb(0x55, 0xff, 0xff), // bright cyan
    Rgb(0xff, 0xff, 0xff), // white
];

/// Where each channel lives in a 32-bit pixel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PixelFormat {
    pub red: Channel,
    pub green: Channel,
    pub blue: Channel,
}

/// One channel: `size` bits starting at bit `shift`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Channel {
    pub size: u8,
    pub shift: u8,
}

impl PixelFormat {
    /// `0x00RRGGBB`, what QEMU and most UEFI firmware use.
    pub const XRGB8888: PixelFormat = PixelFormat {
        red: Channel { size: 8, shift: 16 },
        green: Channel { size: 8, shift: 8 },
        blue: Channel { size: 8, shift: 0 },
    };

    /// Checks a format can be packed into 32 bits: no channel empty, wider
    /// than 8 bits, or reaching past bit 31.
    pub fn is_supported(&self) -> bool {
        [self.red, self.green, self.blue]
            .iter()
            .all(|c| (1..=8).contains(&c.size) && u32::from(c.shift) + u32::from(c.size) <= 32)
    }

    /// Packs a colour, keeping each channel's top bits when it is
    /// narrower than 8 (a 5-bit red keeps the top 5 bits of the byte).
    pub fn encode(&self, colour: Rgb) -> u32 {
        let channel = |value: u8, c: Channel| (u32::from(value) >> (8 - c.size)) << c.shift;
        channel(colour.0, self.red) | channel(colour.1, self.green) | channel(colour.2, self.blue)
    }

    /// The inverse of [`encode`](Self::encode), widening narrow channels.
    pub fn decode(&self, pixel: u32) -> Rgb {
        let channel = |c: Channel| {
            let value = (pixel >> c.shift) & ((1 << c.size) - 1);
            (value << (8 - c.size)) as u8
        };
        Rgb(channel(self.red), channel(self.green), channel(self.blue))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_qemus_layout_as_0x00rrggbb() {
        assert_eq!(PixelFormat::XRGB8888.encode(Rgb(0x12, 0x34, 0x56)), 0x0012_3456);
        assert_eq!(PixelFormat::XRGB8888.decode(0x00ab_cdef), Rgb(0xab, 0xcd, 0xef));
    }

    #[test]
    fn packs_a_blue_first_layout_from_its_description() {
        let bgr = PixelFormat {
            red: Channel { size: 8, shift: 0 },
            green: Channel { size: 8, shift: 8 },
            blue: Channel { size: 8, shift: 16 },
        };
        assert_eq!(bgr.encode(Rgb(0xff, 0, 0)), 0x0000_00ff);
        assert_eq!(bgr.decode(bgr.encode(Rgb(1, 2, 3))), Rgb(1, 2, 3));
    }

    #[test]
    fn narrow_channels_keep_their_top_bits() {
        let rgb565 = PixelFormat {
            red: Channel { size: 5, shift: 11 },
            green: Channel { size: 6, shift: 5 },
            blue: Channel { size: 5, shift: 0 },
        };
        assert_eq!(rgb565.encode(Rgb(0xff, 0xff, 0xff)), 0xffff);
        assert_eq!(rgb565.encode(Rgb(0x80, 0, 0)), 0x8000);
        assert!(rgb565.is_supported());
    }

    #[test]
    fn refuses_formats_that_do_not_fit_32_bits() {
        let mut format = PixelFormat::XRGB8888;
        format.red = Channel { size: 8, shift: 28 };
        assert!(!format.is_supported());
        format.red = Channel { size: 0, shift: 0 };
        assert!(!format.is_supported());
    }
}
