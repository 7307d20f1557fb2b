//! Screenshots, and reading text back from them.
//!
//! QEMU's `screendump` writes what the virtual display shows. The checks
//! look at single pixels, rectangles, and *text*: the kernel's console
//! draws `font8x8` glyphs, possibly scaled, on a grid from the top-left
//! corner, so each cell can be compared with the font and turned back into
//! a character. That lets a check say "the screen reads `hello`" instead of
//! trusting the kernel to say it printed it.

use std::path::Path;

use anyhow::{Context, Result, bail};

/// An RGB image, row-major.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<[u8; 3]>,
}

impl Image {
    #[cfg(test)]
    pub fn new(width: u32, height: u32, fill: [u8; 3]) -> Self {
        Self { width, height, pixels: vec![fill; width as usize * height as usize] }
    }

    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 3]> {
        (x < self.width && y < self.height).then(|| self.pixels[(y * self.width + x) as usize])
    }

    #[cfg(test)]
    pub fn set(&mut self, x: u32, y: u32, rgb: [u8; 3]) {
        if x < self.width && y < self.height {
            self.pixels[(y * self.width + x) as usize] = rgb;
        }
    }

    /// Reads a PNG (what we ask QEMU for) or a binary PPM (QEMU's default).
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        if bytes.starts_with(b"P6") {
            return Self::from_ppm(&bytes);
        }
        Self::from_png(&bytes).with_context(|| format!("decoding {}", path.display()))
    }

    pub fn from_png(bytes: &[u8]) -> Result<Self> {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder.read_info()?;
        let mut buffer = vec![0; reader.output_buffer_size().context("PNG too large")?];
        let info = reader.next_frame(&mut buffer)?;
        let channels = match info.color_type {
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            png::ColorType::Grayscale => 1,
            png::ColorType::GrayscaleAlpha => 2,
            other => bail!("unsupported PNG colour type {other:?}"),
        };
        let mut pixels = Vec::with_capacity((info.width * info.height) as usize);
        for row in buffer[..info.buffer_size()].chunks(info.line_size) {
            for px in row.chunks(channels).take(info.width as usize) {
                pixels.push(if channels < 3 { [px[0]; 3] } else { [px[0], px[1], px[2]] });
            }
        }
        Ok(Self { width: info.width, height: info.height, pixels })
    }

    fn from_ppm(bytes: &[u8]) -> Result<Self> {
        // Header: "P6", width, height, maxval, each separated by whitespace.
        let mut fields = Vec::new();
        let mut position = 2;
        while fields.len() < 3 {
            while position < bytes.len() && bytes[position].is_ascii_whitespace() {
                position += 1;
            }
            let start = position;
            while position < bytes.len() && bytes[position].is_ascii_digit() {
                position += 1;
            }
            let field: u32 = std::str::from_utf8(&bytes[start..position])?.parse().context("bad PPM header")?;
            fields.push(field);
        }
        let (width, height) = (fields[0], fields[1]);
        let data = &bytes[position + 1..];
        if data.len() < (width * height * 3) as usize {
            bail!("PPM data is truncated");
        }
        let pixels = data.chunks(3).take((width * height) as usize).map(|p| [p[0], p[1], p[2]]).collect();
        Ok(Self { width, height, pixels })
    }

    pub fn save_png(&self, path: &Path) -> Result<()> {
        let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&self.pixels.concat())?;
        Ok(())
    }
}

/// One cell read back from the screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellRead {
    pub ch: char,
    pub fg: [u8; 3],
    pub bg: [u8; 3],
}

/// Reads the console grid: rows of `8*scale`-pixel cells from the top-left.
pub fn read_cells(image: &Image, scale: u32) -> Vec<Vec<CellRead>> {
    let cell = 8 * scale;
    let (columns, rows) = (image.width / cell, image.height / cell);
    (0..rows)
        .map(|row| (0..columns).map(|column| read_cell(image, column * cell, row * cell, scale)).collect())
        .collect()
}

/// The grid as text: one string per row, trailing spaces trimmed,
/// trailing empty rows dropped.
#[cfg(test)]
pub fn read_text(image: &Image, scale: u32) -> Vec<String> {
    text_of(&read_cells(image, scale))
}

pub fn text_of(cells: &[Vec<CellRead>]) -> Vec<String> {
    let mut lines: Vec<String> =
        cells.iter().map(|row| row.iter().map(|c| c.ch).collect::<String>().trim_end().to_string()).collect();
    while lines.last().is_some_and(|line| line.is_empty()) {
        lines.pop();
    }
    lines
}

/// One cell: samples the centre of each scaled font pixel, splits the
/// samples into the most common colour and the rest, and matches that
/// shape — or its inverse, since a heavy glyph like `M` covers more than
/// half its cell — against the printable ASCII glyphs of `font8x8`.
fn read_cell(image: &Image, left: u32, top: u32, scale: u32) -> CellRead {
    let mut samples = [[0u8; 3]; 64];
    for row in 0..8 {
        for column in 0..8 {
            let x = left + column * scale + scale / 2;
            let y = top + row * scale + scale / 2;
            samples[(row * 8 + column) as usize] = image.pixel(x, y).unwrap_or_default();
        }
    }
    let common = most_common(&samples);
    let others: Vec<[u8; 3]> = samples.iter().copied().filter(|s| *s != common).collect();
    let other = if others.is_empty() { common } else { most_common(&others) };
    let mut shape = [0u8; 8];
    for (index, sample) in samples.iter().enumerate() {
        if *sample != common {
            // font8x8 stores bit 0 as the leftmost pixel of a row.
            shape[index / 8] |= 1 << (index % 8);
        }
    }
    if shape == [0; 8] {
        return CellRead { ch: ' ', fg: common, bg: common };
    }
    let inverse = shape.map(|row| !row);
    let mut best = ('?', u32::MAX, false);
    for code in 0x21..0x7f_usize {
        let glyph = font8x8::legacy::BASIC_LEGACY[code];
        for (candidate, inverted) in [(shape, false), (inverse, true)] {
            let distance: u32 = glyph.iter().zip(candidate).map(|(a, b)| (a ^ b).count_ones()).sum();
            if distance < best.1 {
                best = (code as u8 as char, distance, inverted);
            }
        }
    }
    // Allow a stray pixel or two (a cursor bar, antialiasing in a resize),
    // never a different letter: glyphs differ by far more.
    let ch = if best.1 <= 2 { best.0 } else { '?' };
    let (fg, bg) = if best.2 { (common, other) } else { (other, common) };
    CellRead { ch, fg, bg }
}

/// Checks that a cell is *exactly* the glyph: every pixel of every scaled
/// font pixel, in two colours. Returns those colours.
pub fn exact_glyph(image: &Image, column: u32, row: u32, scale: u32, ch: char) -> Result<([u8; 3], [u8; 3]), String> {
    let glyph = font8x8::legacy::BASIC_LEGACY[(ch as usize) & 0x7f];
    let (left, top) = (column * 8 * scale, row * 8 * scale);
    let mut fg = None;
    let mut bg = None;
    for gy in 0..8u32 {
        for gx in 0..8u32 {
            let lit = glyph[gy as usize] & (1 << gx) != 0;
            for dy in 0..scale {
                for dx in 0..scale {
                    let (x, y) = (left + gx * scale + dx, top + gy * scale + dy);
                    let found = image.pixel(x, y).ok_or_else(|| format!("cell ({column}, {row}) is off the screen"))?;
                    let wanted = if lit { &mut fg } else { &mut bg };
                    match wanted {
                        None => *wanted = Some(found),
                        Some(colour) if *colour == found => {}
                        Some(colour) => {
                            return Err(format!(
                                "pixel ({x}, {y}) is {} where the {} of {ch:?} is {} elsewhere",
                                hex(found),
                                if lit { "stroke" } else { "background" },
                                hex(*colour)
                            ));
                        }
                    }
                }
            }
        }
    }
    match (fg, bg) {
        (Some(fg), Some(bg)) if fg != bg => Ok((fg, bg)),
        (Some(fg), Some(_)) => Err(format!("cell ({column}, {row}) is all {}: no glyph drawn", hex(fg))),
        _ => Err(format!("{ch:?} has no pixels to compare")),
    }
}

pub fn hex(rgb: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2])
}

fn most_common(samples: &[[u8; 3]]) -> [u8; 3] {
    let mut counts: Vec<([u8; 3], u32)> = Vec::new();
    for sample in samples {
        match counts.iter_mut().find(|(colour, _)| colour == sample) {
            Some((_, count)) => *count += 1,
            None => counts.push((*sample, 1)),
        }
    }
    counts.into_iter().max_by_key(|(_, count)| *count).map(|(colour, _)| colour).unwrap_or_default()
}

/// Draws text the way the kernel's console does; for tests and fixtures.
#[cfg(test)]
pub fn draw_text(image: &mut Image, column: u32, row: u32, text: &str, scale: u32, fg: [u8; 3]) {
    for (index, ch) in text.chars().enumerate() {
        let glyph = font8x8::legacy::BASIC_LEGACY[(ch as usize) & 0x7f];
        let (left, top) = ((column + index as u32) * 8 * scale, row * 8 * scale);
        for (gy, bits) in glyph.iter().enumerate() {
            for gx in 0..8 {
                if bits & (1 << gx) != 0 {
                    for dy in 0..scale {
                        for dx in 0..scale {
                            image.set(left + gx * scale + dx, top + gy as u32 * scale + dy, fg);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAVY: [u8; 3] = [0, 0, 64];
    const AMBER: [u8; 3] = [255, 176, 0];

    #[test]
    fn reads_back_text_drawn_with_the_font_at_several_scales() {
        for scale in 1..=3 {
            let mut image = Image::new(640, 200, NAVY);
            draw_text(&mut image, 0, 0, "MinimalOS rank I", scale, AMBER);
            draw_text(&mut image, 2, 2, "hhdm = 0xffff800000000000;", scale, [255, 255, 255]);
            let lines = read_text(&image, scale);
            assert_eq!(lines[0], "MinimalOS rank I", "scale {scale}");
            assert_eq!(lines[1], "");
            assert!(lines[2].starts_with("  hhdm = 0xffff8000"), "scale {scale}: {:?}", lines[2]);
        }
    }

    #[test]
    fn cells_carry_their_colours_even_for_heavy_glyphs() {
        let mut image = Image::new(64, 16, NAVY);
        draw_text(&mut image, 0, 0, "Mi", 1, AMBER);
        let cells = read_cells(&image, 1);
        assert_eq!(cells[0][0], CellRead { ch: 'M', fg: AMBER, bg: NAVY });
        assert_eq!(cells[0][1], CellRead { ch: 'i', fg: AMBER, bg: NAVY });
    }

    #[test]
    fn an_exact_glyph_passes_and_one_changed_pixel_fails() {
        let mut image = Image::new(32, 32, NAVY);
        draw_text(&mut image, 1, 1, "M", 2, AMBER);
        assert_eq!(exact_glyph(&image, 1, 1, 2, 'M'), Ok((AMBER, NAVY)));
        assert!(exact_glyph(&image, 1, 1, 2, 'N').is_err());
        image.set(17, 17, [1, 2, 3]);
        let error = exact_glyph(&image, 1, 1, 2, 'M').unwrap_err();
        assert!(error.contains("pixel (17, 17) is #010203"), "{error}");
        assert!(exact_glyph(&image, 0, 0, 2, 'M').unwrap_err().contains("no glyph drawn"));
    }

    #[test]
    fn a_wrong_scale_reads_nothing_legible() {
        let mut image = Image::new(320, 64, NAVY);
        draw_text(&mut image, 0, 0, "hello", 2, AMBER);
        let lines = read_text(&image, 1);
        assert!(!lines.join("").contains("hello"));
    }

    #[test]
    fn an_unknown_shape_is_a_question_mark_not_a_guess() {
        let mut image = Image::new(8, 8, NAVY);
        for i in 0..8 {
            image.set(i, i, AMBER);
            image.set(7 - i, i, AMBER);
            image.set(i, 0, AMBER);
        }
        assert_eq!(read_text(&image, 1), vec!["?".to_string()]);
    }

    #[test]
    fn png_round_trip_keeps_every_pixel() {
        let mut image = Image::new(17, 9, NAVY);
        image.set(3, 4, AMBER);
        let path = std::env::temp_dir().join(format!("quest-png-{}.png", std::process::id()));
        image.save_png(&path).unwrap();
        let loaded = Image::load(&path).unwrap();
        std::fs::remove_file(&path).ok();
        assert_eq!(loaded, image);
    }

    #[test]
    fn reads_qemu_ppm_screendumps() {
        let mut bytes = b"P6\n2 1\n255\n".to_vec();
        bytes.extend_from_slice(&[1, 2, 3, 4, 5, 6]);
        let image = Image::from_ppm(&bytes).unwrap();
        assert_eq!((image.width, image.height), (2, 1));
        assert_eq!(image.pixel(1, 0), Some([4, 5, 6]));
    }
}
