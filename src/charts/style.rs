//! The visual style every chart shares: a colour-blind-safe palette, text sizes, line widths.
//!
//! Colours are Okabe and Ito's eight ("Color Universal Design", 2008), distinguishable with
//! the common forms of colour blindness; lines that share a panel also differ in dash where
//! it matters, so a greyscale print stays readable. Continuous values use viridis, which is
//! perceptually uniform and readable in greyscale. Sizes are plotters text sizes (1.24 em):
//! at 1600×900 a 14-point title and 11-point ticks on a projected slide or an A4 page.

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Colour(pub u8, pub u8, pub u8);

impl Colour {
    pub fn hex(self) -> String {
        format!("#{:02X}{:02X}{:02X}", self.0, self.1, self.2)
    }
}

pub const BLACK: Colour = Colour(0x00, 0x00, 0x00);
pub const ORANGE: Colour = Colour(0xE6, 0x9F, 0x00);
pub const SKY_BLUE: Colour = Colour(0x56, 0xB4, 0xE9);
pub const BLUISH_GREEN: Colour = Colour(0x00, 0x9E, 0x73);
pub const YELLOW: Colour = Colour(0xF0, 0xE4, 0x42);
pub const BLUE: Colour = Colour(0x00, 0x72, 0xB2);
pub const VERMILLION: Colour = Colour(0xD5, 0x5E, 0x00);
pub const REDDISH_PURPLE: Colour = Colour(0xCC, 0x79, 0xA7);

/// The Okabe–Ito colours in the order lines take them (yellow, weak on white, comes last).
pub const OKABE_ITO: [Colour; 8] = [
    BLUE,
    VERMILLION,
    BLUISH_GREEN,
    ORANGE,
    REDDISH_PURPLE,
    SKY_BLUE,
    BLACK,
    YELLOW,
];

/// Text: dark grey, not pure black, for ink and projectors alike.
pub const INK: Colour = Colour(0x22, 0x22, 0x22);
pub const MUTED: Colour = Colour(0x55, 0x55, 0x55);
pub const GRID: Colour = Colour(0xDD, 0xDD, 0xDD);
pub const MARKER: Colour = Colour(0x44, 0x44, 0x44);

pub const TITLE_SIZE: f64 = 46.0;
pub const SUBTITLE_SIZE: f64 = 30.0;
pub const PANEL_TITLE_SIZE: f64 = 32.0;
pub const AXIS_LABEL_SIZE: f64 = 30.0;
pub const TICK_SIZE: f64 = 27.0;
pub const LEGEND_SIZE: f64 = 28.0;
pub const NOTE_SIZE: f64 = 24.0;
pub const LINE_WIDTH: u32 = 4;
pub const MARGIN: i32 = 28;

/// Viridis at nine evenly spaced stops (matplotlib's table).
const VIRIDIS: [Colour; 9] = [
    Colour(0x44, 0x01, 0x54),
    Colour(0x47, 0x2C, 0x7A),
    Colour(0x3B, 0x51, 0x8B),
    Colour(0x2C, 0x71, 0x8E),
    Colour(0x21, 0x90, 0x8C),
    Colour(0x27, 0xAD, 0x81),
    Colour(0x5C, 0xC8, 0x63),
    Colour(0xAA, 0xDC, 0x32),
    Colour(0xFD, 0xE7, 0x25),
];

/// Viridis at `t` in 0..=1 (clamped), linearly interpolated between stops.
pub fn viridis(t: f64) -> Colour {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (VIRIDIS.len() - 1) as f64;
    let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |p: u8, q: u8| (f64::from(p) + f * (f64::from(q) - f64::from(p))).round() as u8;
    Colour(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_runs_dark_to_light() {
        assert_eq!(viridis(0.0), VIRIDIS[0]);
        assert_eq!(viridis(1.0), VIRIDIS[8]);
        assert_eq!(viridis(f64::NAN), VIRIDIS[0]);
        let luma = |c: Colour| 0.3 * f64::from(c.0) + 0.59 * f64::from(c.1) + 0.11 * f64::from(c.2);
        let l: Vec<f64> = (0..=10).map(|i| luma(viridis(i as f64 / 10.0))).collect();
        assert!(
            l.windows(2).all(|w| w[1] > w[0]),
            "monotone lightness: {l:?}"
        );
    }

    #[test]
    fn the_palette_has_eight_distinct_colours() {
        let mut hex: Vec<String> = OKABE_ITO.iter().map(|c| c.hex()).collect();
        hex.sort();
        hex.dedup();
        assert_eq!(hex.len(), 8);
    }
}
