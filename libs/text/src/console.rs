//! The text console: a grid of cells over a canvas, with a cursor.
//!
//! Bytes go in; glyphs come out at the cursor, which moves like a
//! terminal's: `\n` to the next row's start, `\r` to this row's start, `\t`
//! to the next multiple of 8 columns, backspace one column left, and a
//! character past the last column wraps. When the cursor falls off the
//! bottom the screen scrolls one row.
//!
//! The grid of [`Cell`]s is kept beside the pixels. Scrolling moves the
//! pixels with one `memmove` (measured: see the Rank II chapter), and the
//! cells let a screen be re-read or redrawn without reading video memory,
//! which on real hardware is slow to read.

use core::fmt;

use crate::canvas::Canvas;
use crate::colour::{PALETTE, Rgb};
use crate::glyph;
use crate::sgr::{Action, Parser};

/// Palette indices of the default colours: light grey on black.
pub const DEFAULT_FG: u8 = 7;
pub const DEFAULT_BG: u8 = 0;
const TAB_WIDTH: usize = 8;

/// One character cell: the byte and its palette colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    pub byte: u8,
    pub fg: u8,
    pub bg: u8,
}

impl Cell {
    pub const BLANK: Cell = Cell { byte: b' ', fg: DEFAULT_FG, bg: DEFAULT_BG };
}

pub struct Console<'a> {
    canvas: Canvas<'a>,
    cells: &'a mut [Cell],
    columns: usize,
    rows: usize,
    scale: usize,
    column: usize,
    row: usize,
    fg: u8,
    bg: u8,
    parser: Parser,
    /// The palette packed in the canvas's pixel format, computed once.
    packed: [u32; 16],
    scrolls: u64,
    /// Whether a cursor is drawn (input prompts want one; logs do not).
    cursor_visible: bool,
    /// The cell whose underline is on screen, to erase before moving.
    cursor_drawn: Option<(usize, usize)>,
}

impl<'a> Console<'a> {
    /// A console over `canvas`, cleared, with `scale`×`scale` font pixels.
    /// The grid is as large as the canvas allows and `cells` can hold.
    pub fn new(mut canvas: Canvas<'a>, cells: &'a mut [Cell], scale: usize) -> Self {
        let scale = scale.clamp(1, glyph::MAX_SCALE);
        let cell = 8 * scale;
        let columns = (canvas.width() / cell).max(1);
        let rows = (canvas.height() / cell).min(cells.len() / columns).max(1);
        let packed = PALETTE.map(|colour| canvas.encode(colour));
        canvas.clear(PALETTE[usize::from(DEFAULT_BG)]);
        cells.fill(Cell::BLANK);
        Self {
            canvas,
            cells,
            columns,
            rows,
            scale,
            column: 0,
            row: 0,
            fg: DEFAULT_FG,
            bg: DEFAULT_BG,
            parser: Parser::default(),
            packed,
            scrolls: 0,
            cursor_visible: false,
            cursor_drawn: None,
        }
    }

    /// A readable scale for a screen of this height: 1 below 768 rows of
    /// pixels, 2 up to 1151, then 3 and so on — about 48–72 text rows.
    pub fn scale_for(height: usize) -> usize {
        (height / 384).clamp(1, glyph::MAX_SCALE)
    }

    pub fn columns(&self) -> usize {
        self.columns
    }
    pub fn rows(&self) -> usize {
        self.rows
    }
    pub fn scale(&self) -> usize {
        self.scale
    }
    /// Cell edge in pixels.
    pub fn cell_size(&self) -> usize {
        8 * self.scale
    }
    pub fn cursor(&self) -> (usize, usize) {
        (self.column, self.row)
    }
    /// How many times the screen has scrolled.
    pub fn scrolls(&self) -> u64 {
        self.scrolls
    }

    pub fn cell(&self, column: usize, row: usize) -> Option<Cell> {
        (column < self.columns && row < self.rows).then(|| self.cells[row * self.columns + column])
    }

    /// The canvas, for drawing that is not text (scenarios, a logo).
    pub fn canvas(&mut self) -> &mut Canvas<'a> {
        &mut self.canvas
    }

    /// Sets colours by palette index (0–15), as SGR would.
    pub fn set_colours(&mut self, fg: u8, bg: u8) {
        self.fg = fg & 15;
        self.bg = bg & 15;
    }

    /// Back to the default colours, at the start of a fresh line, with any
    /// half-read escape sequence forgotten: what a panic report needs when
    /// it interrupts a `kprintln!` halfway.
    pub fn recover(&mut self) {
        self.parser = Parser::default();
        self.set_colours(DEFAULT_FG, DEFAULT_BG);
        if self.column != 0 {
            self.newline();
        }
    }

    pub fn write_bytes(&mut self, bytes: &[u8]) {
        self.erase_cursor();
        for &byte in bytes {
            match self.parser.feed(byte) {
                Action::Byte(byte) => self.byte(byte),
                Action::Sgr { params, count } => self.apply_sgr(&params[..count]),
                Action::ClearScreen => self.clear(),
                Action::Nothing => {}
            }
        }
        if self.cursor_visible {
            self.draw_cursor();
        }
    }

    /// Shows or hides a solid underline cursor: the bottom font row of the
    /// cell where the next character will go, in the current foreground.
    /// It lives only in pixels; the grid (and so `redraw`) never holds it.
    pub fn set_cursor_visible(&mut self, visible: bool) {
        self.cursor_visible = visible;
        self.erase_cursor();
        if visible {
            self.draw_cursor();
        }
    }

    fn draw_cursor(&mut self) {
        // A cursor past the last column waits for the wrap: draw it there.
        let (column, row) = if self.column >= self.columns { (0, self.row + 1) } else { (self.column, self.row) };
        if row >= self.rows {
            return;
        }
        let size = self.cell_size();
        let colour = PALETTE[usize::from(self.fg)];
        self.canvas.fill_rect(column * size, row * size + 7 * self.scale, size, self.scale, colour);
        self.cursor_drawn = Some((column, row));
    }

    fn erase_cursor(&mut self) {
        if let Some((column, row)) = self.cursor_drawn.take()
            && column < self.columns
            && row < self.rows
        {
            self.paint(column, row);
        }
    }

    fn byte(&mut self, byte: u8) {
        match byte {
            b'\n' => self.newline(),
            b'\r' => self.column = 0,
            b'\t' => {
                let next = (self.column / TAB_WIDTH + 1) * TAB_WIDTH;
                if next >= self.columns {
                    self.newline();
                } else {
                    self.column = next;
                }
            }
            0x08 => self.column = self.column.saturating_sub(1),
            // Other control characters have no picture.
            0x00..=0x1f | 0x7f => {}
            printable => {
                if self.column >= self.columns {
                    self.newline();
                }
                self.put(self.column, self.row, Cell { byte: printable, fg: self.fg, bg: self.bg });
                self.column += 1;
            }
        }
    }

    fn put(&mut self, column: usize, row: usize, cell: Cell) {
        self.cells[row * self.columns + column] = cell;
        self.paint(column, row);
    }

    fn paint(&mut self, column: usize, row: usize) {
        let cell = self.cells[row * self.columns + column];
        let size = self.cell_size();
        let (fg, bg) = (self.packed[usize::from(cell.fg)], self.packed[usize::from(cell.bg)]);
        glyph::draw(&mut self.canvas, column * size, row * size, cell.byte, self.scale, fg, bg);
    }

    fn newline(&mut self) {
        self.column = 0;
        if self.row + 1 < self.rows {
            self.row += 1;
        } else {
            self.scroll();
        }
    }

    /// Moves every row up one and clears the bottom row.
    pub fn scroll(&mut self) {
        self.erase_cursor();
        let size = self.cell_size();
        self.canvas.scroll_up(size, self.packed[usize::from(self.bg)]);
        self.cells.copy_within(self.columns..self.columns * self.rows, 0);
        let last = (self.rows - 1) * self.columns;
        self.cells[last..last + self.columns].fill(Cell { byte: b' ', fg: self.fg, bg: self.bg });
        self.scrolls += 1;
    }

    /// Paints text at a cell position without touching the grid or the
    /// cursor: for status areas drawn over the console, like a heartbeat.
    /// Clipped to the grid.
    pub fn paint_text_at(&mut self, column: usize, row: usize, bytes: &[u8], fg: Rgb, bg: Rgb) {
        let size = self.cell_size();
        let (fg, bg) = (self.canvas.encode(fg), self.canvas.encode(bg));
        for (offset, &byte) in bytes.iter().enumerate() {
            let target = column + offset;
            if target >= self.columns || row >= self.rows {
                break;
            }
            glyph::draw(&mut self.canvas, target * size, row * size, byte, self.scale, fg, bg);
        }
    }

    /// Repaints every cell from the grid, reading no pixels: the
    /// alternative to moving pixels when video memory is slow to read.
    pub fn redraw(&mut self) {
        for row in 0..self.rows {
            for column in 0..self.columns {
                self.paint(column, row);
            }
        }
    }

    /// Clears the screen and homes the cursor.
    pub fn clear(&mut self) {
        self.cells.fill(Cell { byte: b' ', fg: self.fg, bg: self.bg });
        let bg: Rgb = PALETTE[usize::from(self.bg)];
        self.canvas.clear(bg);
        self.column = 0;
        self.row = 0;
    }

    fn apply_sgr(&mut self, params: &[u16]) {
        for &param in params {
            match param {
                0 => self.set_colours(DEFAULT_FG, DEFAULT_BG),
                30..=37 => self.fg = (param - 30) as u8,
                39 => self.fg = DEFAULT_FG,
                40..=47 => self.bg = (param - 40) as u8,
                49 => self.bg = DEFAULT_BG,
                90..=97 => self.fg = (param - 90 + 8) as u8,
                100..=107 => self.bg = (param - 100 + 8) as u8,
                // Bold, underline, blink…: not drawn by an 8×8 font.
                _ => {}
            }
        }
    }
}

impl fmt::Write for Console<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.write_bytes(text.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colour::PixelFormat;
    use core::fmt::Write;

    /// A console 10 columns by 3 rows at scale 1 (80×24 pixels).
    fn with_console(test: impl FnOnce(&mut Console)) -> Vec<u32> {
        let mut pixels = vec![0xdead_beef; 80 * 24];
        let mut cells = vec![Cell::BLANK; 64];
        {
            let canvas = Canvas::new(&mut pixels, 80, 24, 80, PixelFormat::XRGB8888).unwrap();
            let mut console = Console::new(canvas, &mut cells, 1);
            test(&mut console);
        }
        pixels
    }

    fn text(console: &Console) -> Vec<String> {
        (0..console.rows())
            .map(|r| {
                let row: String = (0..console.columns()).map(|c| console.cell(c, r).unwrap().byte as char).collect();
                row.trim_end().to_string()
            })
            .collect()
    }

    #[test]
    fn the_grid_fills_the_canvas_and_starts_cleared() {
        let pixels = with_console(|console| {
            assert_eq!((console.columns(), console.rows()), (10, 3));
        });
        assert!(pixels.iter().all(|&p| p == 0), "cleared to black");
    }

    #[test]
    fn newline_tab_and_carriage_return_move_like_a_terminal() {
        with_console(|console| {
            write!(console, "a\tb\nabc\rX").unwrap();
            assert_eq!(text(console), vec!["a       b", "Xbc", ""]);
            assert_eq!(console.cursor(), (1, 1));
        });
    }

    #[test]
    fn a_long_line_wraps_and_loses_nothing() {
        with_console(|console| {
            console.write_bytes(b"0123456789abcdef");
            assert_eq!(text(console), vec!["0123456789", "abcdef", ""]);
        });
    }

    #[test]
    fn scrolling_drops_the_first_row_and_keeps_the_last_at_the_bottom() {
        let pixels = with_console(|console| {
            for line in 1..=5 {
                writeln!(console, "line {line}").unwrap();
            }
            assert_eq!(text(console), vec!["line 4", "line 5", ""]);
            assert_eq!(console.scrolls(), 3);
        });
        // Row 0 now shows "line 4": its first glyph is 'l', painted light grey.
        let l = glyph::bitmap(b'l');
        for y in 0..8 {
            for x in 0..8 {
                let lit = l[y] & (1 << x) != 0;
                assert_eq!(pixels[y * 80 + x] == 0x00aa_aaaa, lit, "({x}, {y})");
            }
        }
    }

    #[test]
    fn a_redraw_from_the_grid_reproduces_the_screen() {
        let mut before = Vec::new();
        let after = with_console(|console| {
            console.write_bytes(b"\x1b[31mred\x1b[0m and grey\nline two\nthree\nfour");
            let (width, height) = (console.canvas().width(), console.canvas().height());
            let canvas = console.canvas();
            before = (0..height).flat_map(|y| (0..width).map(move |x| (x, y))).map(|(x, y)| canvas.get(x, y)).collect();
            console.canvas().clear(Rgb(1, 2, 3));
            console.redraw();
        });
        let redrawn: Vec<_> = after.iter().map(|&p| Some(crate::PixelFormat::XRGB8888.decode(p))).collect();
        assert_eq!(redrawn, before);
    }

    #[test]
    fn sgr_colours_the_cells_and_the_escape_is_never_drawn() {
        let pixels = with_console(|console| {
            console.write_bytes(b"\x1b[31mR\x1b[44;92mG\x1b[0mN");
            assert_eq!(text(console)[0], "RGN");
            assert_eq!(console.cell(0, 0).unwrap().fg, 1);
            assert_eq!((console.cell(1, 0).unwrap().fg, console.cell(1, 0).unwrap().bg), (10, 4));
            assert_eq!(console.cell(2, 0).unwrap().fg, DEFAULT_FG);
        });
        // The 'G' cell's background is VGA blue, its lit pixels bright green.
        assert!(pixels[8..16].contains(&0x0000_00aa));
        let g = glyph::bitmap(b'G');
        let (gx, gy) = (0..8).flat_map(|y| (0..8).map(move |x| (x, y))).find(|&(x, y)| g[y] & (1 << x) != 0).unwrap();
        assert_eq!(pixels[gy * 80 + 8 + gx], 0x0055_ff55);
    }

    #[test]
    fn recover_starts_a_clean_line_in_default_colours() {
        with_console(|console| {
            console.write_bytes(b"half\x1b[3");
            console.recover();
            console.write_bytes(b"1mPANIC");
            assert_eq!(text(console), vec!["half", "1mPANIC", ""]);
            assert_eq!(console.cell(0, 1).unwrap().fg, DEFAULT_FG);
        });
    }

    #[test]
    fn status_text_is_painted_without_moving_the_cursor_or_the_grid() {
        let pixels = with_console(|console| {
            console.write_bytes(b"hi");
            console.paint_text_at(8, 0, b"up", Rgb::BLACK, Rgb::WHITE);
            assert_eq!(console.cursor(), (2, 0));
            assert_eq!(text(console)[0], "hi");
        });
        // Cell (8, 0) now has a white background where 'u' has no stroke.
        assert!(pixels[64..72].contains(&0x00ff_ffff));
    }

    /// The pixels of cell (column, 0) on the 80x24 test canvas, row by row.
    fn cell_pixels(pixels: &[u32], column: usize) -> Vec<u32> {
        (0..8).flat_map(|y| pixels[y * 80 + column * 8..y * 80 + column * 8 + 8].to_vec()).collect()
    }

    #[test]
    fn a_visible_cursor_underlines_the_next_cell_and_leaves_no_trace_when_it_moves() {
        let pixels = with_console(|console| {
            console.write_bytes(b"ab");
            console.set_cursor_visible(true);
        });
        let underline = &cell_pixels(&pixels, 2)[56..64];
        assert!(underline.iter().all(|&p| p != 0), "bottom row of cell 2 is the cursor");
        assert!(cell_pixels(&pixels, 2)[..56].iter().all(|&p| p == 0), "nothing else in the cell");
        let moved = with_console(|console| {
            console.write_bytes(b"ab");
            console.set_cursor_visible(true);
            console.write_bytes(b"c\x08");
        });
        // Cell 3 was the cursor's after "c" and is plain background again.
        assert!(cell_pixels(&moved, 3).iter().all(|&p| p == 0), "old cursor erased");
        // The cursor went back onto the 'c' (backspace moves, never erases).
        let c_cell = cell_pixels(&moved, 2);
        assert!(c_cell[56..64].iter().all(|&p| p != 0), "cursor under the c");
        let hidden = with_console(|console| {
            console.write_bytes(b"ab");
            console.set_cursor_visible(true);
            console.set_cursor_visible(false);
        });
        assert!(cell_pixels(&hidden, 2).iter().all(|&p| p == 0), "hidden cursor leaves nothing");
    }

    #[test]
    fn a_readable_scale_for_common_screens() {
        assert_eq!(Console::scale_for(600), 1);
        assert_eq!(Console::scale_for(768), 2);
        assert_eq!(Console::scale_for(800), 2);
        assert_eq!(Console::scale_for(1200), 3);
    }
}
