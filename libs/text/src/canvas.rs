//! A rectangle of pixels in memory: the framebuffer, or a `Vec` in tests.
//!
//! Rows are `stride` pixels apart, which may be more than `width`: the
//! framebuffer's pitch is padded on many cards, and a canvas that assumed
//! `stride == width` would draw slanted garbage there. Every operation
//! clips to the canvas, so no coordinate can write outside the slice.

use crate::colour::{PixelFormat, Rgb};

pub struct Canvas<'a> {
    pixels: &'a mut [u32],
    width: usize,
    height: usize,
    stride: usize,
    format: PixelFormat,
}

impl<'a> Canvas<'a> {
    /// `None` when the slice is too short for `stride * height` pixels,
    /// the stride is narrower than a row, or the format cannot be packed.
    pub fn new(pixels: &'a mut [u32], width: usize, height: usize, stride: usize, format: PixelFormat) -> Option<Self> {
        let needed = stride.checked_mul(height)?;
        (stride >= width && pixels.len() >= needed && format.is_supported()).then_some(Self {
            pixels,
            width,
            height,
            stride,
            format,
        })
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }

    pub fn format(&self) -> PixelFormat {
        self.format
    }

    /// A colour in this canvas's pixel format.
    pub fn encode(&self, colour: Rgb) -> u32 {
        self.format.encode(colour)
    }

    pub fn put(&mut self, x: usize, y: usize, colour: Rgb) {
        if x < self.width && y < self.height {
            self.pixels[y * self.stride + x] = self.format.encode(colour);
        }
    }

    pub fn get(&self, x: usize, y: usize) -> Option<Rgb> {
        (x < self.width && y < self.height).then(|| self.format.decode(self.pixels[y * self.stride + x]))
    }

    /// Fills a rectangle, clipped to the canvas.
    pub fn fill_rect(&mut self, x: usize, y: usize, width: usize, height: usize, colour: Rgb) {
        let pixel = self.format.encode(colour);
        self.fill_rect_raw(x, y, width, height, pixel);
    }

    pub(crate) fn fill_rect_raw(&mut self, x: usize, y: usize, width: usize, height: usize, pixel: u32) {
        let right = x.saturating_add(width).min(self.width);
        let bottom = y.saturating_add(height).min(self.height);
        if x >= right {
            return;
        }
        for row in y..bottom {
            let start = row * self.stride;
            self.pixels[start + x..start + right].fill(pixel);
        }
    }

    pub fn clear(&mut self, colour: Rgb) {
        self.fill_rect(0, 0, self.width, self.height, colour);
    }

    /// Copies a block of already-packed pixels (`source_width` per row)
    /// to (x, y), clipped.
    pub fn blit(&mut self, x: usize, y: usize, source: &[u32], source_width: usize) {
        if source_width == 0 || x >= self.width {
            return;
        }
        let visible = source_width.min(self.width - x);
        for (row, line) in source.chunks(source_width).enumerate() {
            let target = y + row;
            if target >= self.height {
                break;
            }
            let start = target * self.stride + x;
            self.pixels[start..start + visible.min(line.len())].copy_from_slice(&line[..visible.min(line.len())]);
        }
    }

    /// Moves everything up by `rows` pixel rows and fills the bottom with
    /// `fill`: one `memmove` of the whole block, since rows are contiguous
    /// apart from their padding.
    pub fn scroll_up(&mut self, rows: usize, fill: u32) {
        let rows = rows.min(self.height);
        let kept = (self.height - rows) * self.stride;
        self.pixels.copy_within(rows * self.stride..rows * self.stride + kept, 0);
        self.fill_rect_raw(0, self.height - rows, self.width, rows, fill);
    }

    /// One row of pixels, for the glyph painter.
    pub(crate) fn row_mut(&mut self, y: usize) -> &mut [u32] {
        let start = y * self.stride;
        &mut self.pixels[start..start + self.width]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RED: Rgb = Rgb(0xff, 0, 0);

    fn canvas(pixels: &mut Vec<u32>, width: usize, height: usize, stride: usize) -> Canvas<'_> {
        pixels.resize(stride * height, 0);
        Canvas::new(pixels, width, height, stride, PixelFormat::XRGB8888).unwrap()
    }

    #[test]
    fn a_pixel_lands_at_row_times_stride_not_row_times_width() {
        let mut pixels = Vec::new();
        let mut canvas = canvas(&mut pixels, 10, 4, 16);
        canvas.put(3, 2, RED);
        assert_eq!(pixels[2 * 16 + 3], 0x00ff_0000);
        assert_eq!(pixels.iter().filter(|&&p| p != 0).count(), 1);
    }

    #[test]
    fn fills_are_clipped_and_never_touch_the_padding() {
        let mut pixels = Vec::new();
        let mut canvas = canvas(&mut pixels, 10, 4, 16);
        canvas.fill_rect(8, 2, 100, 100, RED);
        for y in 0..4 {
            for x in 0..16 {
                let inside = (8..10).contains(&x) && y >= 2;
                assert_eq!(pixels[y * 16 + x] != 0, inside, "({x}, {y})");
            }
        }
    }

    #[test]
    fn a_rectangle_covers_its_edges_exactly() {
        let mut pixels = Vec::new();
        let mut canvas = canvas(&mut pixels, 20, 20, 20);
        canvas.fill_rect(5, 6, 4, 3, RED);
        assert_eq!(canvas.get(5, 6), Some(RED));
        assert_eq!(canvas.get(8, 8), Some(RED));
        assert_eq!(canvas.get(9, 8), Some(Rgb::BLACK));
        assert_eq!(canvas.get(8, 9), Some(Rgb::BLACK));
        assert_eq!(canvas.get(4, 6), Some(Rgb::BLACK));
    }

    #[test]
    fn scrolling_moves_rows_up_and_clears_the_bottom() {
        let mut pixels = Vec::new();
        let mut canvas = canvas(&mut pixels, 4, 4, 6);
        for y in 0..4 {
            canvas.fill_rect(0, y, 4, 1, Rgb(y as u8 + 1, 0, 0));
        }
        canvas.scroll_up(1, 0x0000_00ff);
        assert_eq!(canvas.get(0, 0), Some(Rgb(2, 0, 0)));
        assert_eq!(canvas.get(3, 2), Some(Rgb(4, 0, 0)));
        assert_eq!(canvas.get(0, 3), Some(Rgb(0, 0, 0xff)));
    }

    #[test]
    fn blit_copies_a_clipped_block() {
        let mut pixels = Vec::new();
        let mut canvas = canvas(&mut pixels, 4, 3, 4);
        canvas.blit(2, 1, &[1, 2, 3, 4, 5, 6], 3);
        assert_eq!(&pixels[4..8], &[0, 0, 1, 2]);
        assert_eq!(&pixels[8..12], &[0, 0, 4, 5]);
    }

    #[test]
    fn refuses_a_slice_shorter_than_the_geometry() {
        let mut pixels = vec![0; 10];
        assert!(Canvas::new(&mut pixels, 4, 3, 4, PixelFormat::XRGB8888).is_none());
        assert!(Canvas::new(&mut pixels, 4, 2, 3, PixelFormat::XRGB8888).is_none());
    }
}
