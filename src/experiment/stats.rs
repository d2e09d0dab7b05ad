//! Small statistics for experiments: running moments, t-based 95% confidence intervals and
//! paired comparisons. Hand-written because they are a few lines each and must be exact and
//! deterministic (no crate reorders a sum behind our back).

/// Running mean and variance (Welford), added to in a fixed order.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Moments {
    pub n: u64,
    mean: f64,
    m2: f64,
}

impl Moments {
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.mean
        }
    }

    /// Sample standard deviation (0 for fewer than two values).
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2 / (self.n - 1) as f64).max(0.0).sqrt()
        }
    }

    /// Half-width of the two-sided 95% confidence interval of the mean (0 for n < 2).
    pub fn ci95_half_width(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            t_quantile_975(self.n - 1) * self.sd() / (self.n as f64).sqrt()
        }
    }
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom: exact table values up to
/// 30, the Cornish–Fisher expansion beyond (error below 1e-4 there).
pub fn t_quantile_975(df: u64) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df as usize - 1],
        _ => {
            let z: f64 = 1.959_963_984_540_054;
            let v = df as f64;
            z + (z.powi(3) + z) / (4.0 * v)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * v * v)
                + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z)
                    / (384.0 * v * v * v)
        }
    }
}

/// A paired comparison of B against A on the same seeds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairedDifference {
    pub n: u64,
    pub mean_a: f64,
    pub mean_b: f64,
    /// Mean of (b − a).
    pub difference: f64,
    pub ci_lo: f64,
    pub ci_hi: f64,
    /// Standardised mean difference of paired data, d_z = mean(b − a) / sd(b − a); 0 when the
    /// differences do not vary.
    pub effect_size: f64,
}

pub fn paired_difference(a: &[f64], b: &[f64]) -> PairedDifference {
    let (mut ma, mut mb, mut md) = (Moments::default(), Moments::default(), Moments::default());
    for (x, y) in a.iter().zip(b) {
        ma.push(*x);
        mb.push(*y);
        md.push(y - x);
    }
    let half = md.ci95_half_width();
    let sd = md.sd();
    PairedDifference {
        n: md.n,
        mean_a: ma.mean(),
        mean_b: mb.mean(),
        difference: md.mean(),
        ci_lo: md.mean() - half,
        ci_hi: md.mean() + half,
        effect_size: if sd > 0.0 { md.mean() / sd } else { 0.0 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_match_hand_computed_values() {
        let mut m = Moments::default();
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            m.push(x);
        }
        assert!((m.mean() - 5.0).abs() < 1e-12);
        // Sample variance 32/7.
        assert!((m.sd() - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        // t(7) = 2.365: half-width 2.365 * sd / sqrt(8).
        assert!((m.ci95_half_width() - 2.365 * (32.0f64 / 7.0).sqrt() / 8f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn t_quantiles_are_continuous_past_the_table() {
        assert!((t_quantile_975(31) - 2.0395).abs() < 2e-3);
        assert!((t_quantile_975(120) - 1.9799).abs() < 1e-3);
        assert!((t_quantile_975(100_000) - 1.96).abs() < 1e-3);
    }

    #[test]
    fn paired_difference_by_hand() {
        let a = [1.0, 2.0, 3.0];
        let b = [2.0, 4.0, 3.0];
        let d = paired_difference(&a, &b);
        // Differences 1, 2, 0: mean 1, sd 1, half-width 4.303/sqrt(3).
        assert!((d.difference - 1.0).abs() < 1e-12);
        assert!((d.ci_hi - d.ci_lo - 2.0 * 4.303 / 3f64.sqrt()).abs() < 1e-9);
        assert!((d.effect_size - 1.0).abs() < 1e-12);
    }
}
