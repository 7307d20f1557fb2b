//! Painting `font8x8` glyphs, each font pixel an `s × s` block.
//!
//! The font is 8×8 bits per character, bit 0 the leftmost pixel of a row
//! (the `font8x8` crate's layout). A glyph is painted one pixel row at a
//! time: the row is built in a small buffer, then copied into the canvas
//! with one slice copy, so a cell costs `8·s` copies instead of `64·s²`
//! single-pixel writes.

use crate::canvas::Canvas;

/// Widest glyph row we build: 8 font pixels at the largest scale.
pub const MAX_SCALE: usize = 8;

/// The 8×8 bitmap of an ASCII byte; anything else shows as `?`.
pub fn bitmap(byte: u8) -> [u8; 8] {
    let index = if byte < 0x80 { byte } else { b'?' };
    font8x8::legacy::BASIC_LEGACY[usize::from(index)]
}

/// Paints `byte` with its top-left corner at (x, y), in packed colours.
/// Clipped to the canvas.
pub fn draw(canvas: &mut Canvas, x: usize, y: usize, byte: u8, scale: usize, fg: u32, bg: u32) {
    let scale = scale.clamp(1, MAX_SCALE);
    let width = 8 * scale;
    if x >= canvas.width() {
        return;
    }
    let visible = width.min(canvas.width() - x);
    let mut line = [0u32; 8 * MAX_SCALE];
    for (glyph_row, bits) in bitmap(byte).iter().enumerate() {
        for column in 0..8 {
            let colour = if bits & (1 << column) != 0 { fg } else { bg };
            line[column * scale..(column + 1) * scale].fill(colour);
        }
        for repeat in 0..scale {
            let target = y + glyph_row * scale + repeat;
            if target >= canvas.height() {
                return;
            }
            canvas.row_mut(target)[x..x + visible].copy_from_slice(&line[..visible]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colour::PixelFormat;

    #[test]
    fn every_font_pixel_becomes_a_scale_by_scale_block() {
        let mut pixels = vec![0u32; 40 * 40];
        let mut canvas = Canvas::new(&mut pixels, 40, 40, 40, PixelFormat::XRGB8888).unwrap();
        draw(&mut canvas, 4, 2, b'A', 3, 0xffffff, 0x000001);
        let glyph = bitmap(b'A');
        for gy in 0..8 {
            for gx in 0..8 {
                let want = if glyph[gy] & (1 << gx) != 0 { 0xffffff } else { 0x000001 };
                for dy in 0..3 {
                    for dx in 0..3 {
                        assert_eq!(pixels[(2 + gy * 3 + dy) * 40 + 4 + gx * 3 + dx], want, "font pixel ({gx}, {gy})");
                    }
                }
            }
        }
        assert_eq!(pixels[0], 0, "nothing outside the cell");
    }

    #[test]
    fn a_glyph_at_the_edge_is_clipped_not_wrapped() {
        let mut pixels = vec![0u32; 10 * 10];
        let mut canvas = Canvas::new(&mut pixels, 10, 10, 10, PixelFormat::XRGB8888).unwrap();
        draw(&mut canvas, 6, 6, b'#', 1, 7, 7);
        assert_eq!(pixels[6 * 10 + 9], 7);
        assert_eq!(pixels[7 * 10], 0, "no spill onto the next row");
    }

    #[test]
    fn non_ascii_shows_as_a_question_mark() {
        assert_eq!(bitmap(0xe9), bitmap(b'?'));
    }
}
