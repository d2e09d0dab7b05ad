//! The decision kernel shared by the governance model and the canonical games (ODD §7.4).
//!
//! Payoff aggregation (CES), pivotality, the logit choice rule with learned habits, Bush–Mosteller
//! habit learning and Fermi imitation. Everything here is a pure function of its arguments: the
//! callers own the state and the random numbers, so the same code runs a city and a lattice.

/// Number of actions an organisation can take on a task.
pub const N_ACTIONS: usize = 3;

/// What a coalition member does on one task this tick (MODEL §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Real work that moves the issue.
    Substantive = 0,
    /// Cheap work that leaves a record and makes no progress (formalism).
    Symbolic = 1,
    /// No work.
    Shirk = 2,
}

impl Action {
    pub const ALL: [Action; N_ACTIONS] = [Action::Substantive, Action::Symbolic, Action::Shirk];

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Bound on learned habits ρ (MODEL §4.2: ρ clipped to [−2, 2]).
pub const HABIT_CLIP: f64 = 2.0;

/// CES aggregate `Q = (Σ s_j · y_j^r)^(1/r)` of delivered fractions `y` with shares `s`
/// (shares sum to 1). `r = 1` gives substitutes (a linear public good); `r < 0` gives
/// complements, where any `y_j = 0` makes `Q = 0` (a missing partner stalls the issue);
/// `r = 0` is the Cobb–Douglas limit.
pub fn ces_aggregate(shares: &[f64], delivered: &[f64], r: f64) -> f64 {
    debug_assert_eq!(shares.len(), delivered.len());
    if (r - 1.0).abs() < 1e-12 {
        return linear_aggregate(shares, delivered);
    }
    if r.abs() < 1e-9 {
        let mut log_q = 0.0;
        for (s, y) in shares.iter().zip(delivered) {
            if *s > 0.0 {
                if *y <= 0.0 {
                    return 0.0;
                }
                log_q += s * y.ln();
            }
        }
        return log_q.exp();
    }
    let mut sum = 0.0;
    for (s, y) in shares.iter().zip(delivered) {
        if *s <= 0.0 {
            continue;
        }
        if *y <= 0.0 {
            if r < 0.0 {
                return 0.0;
            }
            continue;
        }
        sum += s * y.powf(r);
    }
    if sum <= 0.0 {
        0.0
    } else {
        sum.powf(1.0 / r).min(1.0)
    }
}

/// The `r = 1` case of [`ces_aggregate`]: the weighted sum `Σ w_j · y_j`, a linear public good.
///
/// The canonical games call it with unit weights, so that the aggregate of 0/1 contributions is
/// the exact cooperator count (normalised shares such as 1/9 would round, and the Nowak–May tie
/// rule compares payoffs for equality).
pub fn linear_aggregate(weights: &[f64], delivered: &[f64]) -> f64 {
    debug_assert_eq!(weights.len(), delivered.len());
    weights.iter().zip(delivered).map(|(w, y)| w * y).sum()
}

/// Pivotality of member `i` (MODEL §4.2): expected `Q` with `i` delivering its full share minus
/// expected `Q` without it, where each partner `j` delivers fully with probability `p[j]`
/// (trust × known contribution rate) and not at all otherwise. `p[i]` is ignored.
///
/// Exact. Substitutes and complements have closed forms (`s_i`, and `Π_{j≠i} p_j` because one
/// absent partner zeroes `Q`); other exponents enumerate the partners' joint outcomes, which is
/// exact for the small coalitions issues form (at most `MAX_ENUMERATED` partners).
pub fn pivotality(shares: &[f64], p: &[f64], i: usize, r: f64) -> f64 {
    let n = shares.len();
    if (r - 1.0).abs() < 1e-12 {
        return shares[i];
    }
    if r <= 0.0 {
        return (0..n)
            .filter(|&j| j != i && shares[j] > 0.0)
            .map(|j| p[j])
            .product();
    }
    let others: Vec<usize> = (0..n).filter(|&j| j != i).collect();
    debug_assert!(others.len() <= MAX_ENUMERATED);
    let mut y = vec![0.0; n];
    let mut expected = 0.0;
    for mask in 0u32..(1u32 << others.len()) {
        let mut prob = 1.0;
        for (bit, &j) in others.iter().enumerate() {
            let on = mask & (1 << bit) != 0;
            y[j] = if on { 1.0 } else { 0.0 };
            prob *= if on { p[j] } else { 1.0 - p[j] };
        }
        if prob == 0.0 {
            continue;
        }
        y[i] = 1.0;
        let with = ces_aggregate(shares, &y, r);
        y[i] = 0.0;
        let without = ces_aggregate(shares, &y, r);
        expected += prob * (with - without);
    }
    expected
}

/// Largest number of partners `pivotality` enumerates for `0 < r < 1`.
pub const MAX_ENUMERATED: usize = 12;

/// Logit choice probabilities `P(a) ∝ exp(U(a)/β + ρ(a))` (MODEL §4.2).
pub fn logit_probabilities(
    utilities: &[f64; N_ACTIONS],
    habits: &[f64; N_ACTIONS],
    beta: f64,
) -> [f64; N_ACTIONS] {
    let mut z = [0.0; N_ACTIONS];
    for a in 0..N_ACTIONS {
        z[a] = utilities[a] / beta + habits[a];
    }
    let max = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let mut total = 0.0;
    for v in z.iter_mut() {
        *v = (*v - max).exp();
        total += *v;
    }
    for v in z.iter_mut() {
        *v /= total;
    }
    z
}

/// Draws an action from logit probabilities with one uniform number `u ∈ [0, 1)`.
pub fn draw_action(probabilities: &[f64; N_ACTIONS], u: f64) -> Action {
    let mut acc = 0.0;
    for a in Action::ALL {
        acc += probabilities[a.index()];
        if u < acc {
            return a;
        }
    }
    Action::Shirk
}

/// Bush–Mosteller habit update (MODEL §5): the habit of the action taken moves up when its
/// payoff beat the aspiration and down when it fell short; the aspiration then drifts toward
/// the payoff. Returns the new aspiration.
pub fn bush_mosteller(
    habits: &mut [f64; N_ACTIONS],
    action: Action,
    payoff: f64,
    aspiration: f64,
    habit_rate: f64,
    aspiration_rate: f64,
) -> f64 {
    let h = &mut habits[action.index()];
    *h = (*h + habit_rate * (payoff - aspiration)).clamp(-HABIT_CLIP, HABIT_CLIP);
    aspiration + aspiration_rate * (payoff - aspiration)
}

/// Forgetting (recency, Erev & Roth 1998): every habit loses the share `phi` of its strength
/// each round, so a habit is held up only by continued reinforcement and settles where
/// forgetting balances learning instead of drifting to the clip.
pub fn forget_habits(habits: &mut [f64; N_ACTIONS], phi: f64) {
    for h in habits.iter_mut() {
        *h *= 1.0 - phi;
    }
}

/// Conditional cooperation (MODEL §11.2; ODD §7.6.5): the weight `(1 − ψ) + ψ·b̄` on the
/// intrinsic value of progress, where `psi` is the conditional cooperators' share of the
/// public-spirited (`model::levers::conditionality`) and `expected` the mean expected delivery
/// of the partners. ψ = 0 values progress unconditionally; ψ = 1 only as much as the partners
/// are expected to deliver (Fischbacher, Gächter & Fehr 2001). Written exactly as the city
/// computed it inline before, so moving it here changed no output.
pub fn conditional_weight(psi: f64, expected: f64) -> f64 {
    1.0 - psi + psi * expected
}

/// Weekly hazard that shirking is detected (MODEL §4.2, §11.4; ODD §7.6.6), from the lead's
/// `clout` and the sources of blame. Superior attention (`watched`, the hazard when the issue is
/// watched) and third-party evaluation (`evaluation`) are two sources of the *same* blame — both
/// feed the unit's evaluation by its superiors, the paper's "institutional constraints
/// equivalent to superior attention" — so they substitute (the stronger counts), and an
/// evaluation as strong as attention makes withdrawing attention cost nothing in detection.
/// Discipline inspection and media exposure are independent sources and combine as independent
/// risks.
pub fn detection_hazard(
    clout: f64,
    watched: f64,
    evaluation: f64,
    inspection: f64,
    media: f64,
) -> f64 {
    let hierarchy = watched.max(evaluation);
    clout * (1.0 - (1.0 - hierarchy) * (1.0 - inspection) * (1.0 - media))
}

/// Fermi imitation probability: a player with payoff `own` adopts the strategy of a model with
/// payoff `model` with probability `1 / (1 + exp((own − model)/K))`.
pub fn fermi_adoption(own: f64, model: f64, noise_k: f64) -> f64 {
    1.0 / (1.0 + ((own - model) / noise_k).exp())
}

/// Proportional (pairwise-difference) imitation: adopt the model's strategy with probability
/// `max(0, model − own) / max_difference`, where `max_difference` bounds every payoff difference
/// in the game. Its mean field is the replicator equation (Schlag 1998; Helbing 1992), which is
/// why the well-mixed docking check uses it.
pub fn proportional_imitation(own: f64, model: f64, max_difference: f64) -> f64 {
    ((model - own) / max_difference).clamp(0.0, 1.0)
}

/// Asymmetric trust update (MODEL §5): moves toward the observed contribution rate, losses
/// learned at `loss_rate`, gains at `gain_rate`.
pub fn update_trust(trust: f64, observed: f64, gain_rate: f64, loss_rate: f64) -> f64 {
    let rate = if observed < trust {
        loss_rate
    } else {
        gain_rate
    };
    (trust + rate * (observed - trust)).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_are_linear_and_complements_stall_on_a_missing_partner() {
        let s = [0.5, 0.3, 0.2];
        assert!((ces_aggregate(&s, &[1.0, 0.0, 1.0], 1.0) - 0.7).abs() < 1e-12);
        assert_eq!(ces_aggregate(&s, &[1.0, 0.0, 1.0], -2.0), 0.0);
        assert!((ces_aggregate(&s, &[1.0, 1.0, 1.0], -2.0) - 1.0).abs() < 1e-12);
        let partial = ces_aggregate(&s, &[1.0, 0.5, 1.0], -2.0);
        assert!(partial > 0.0 && partial < 1.0);
    }

    #[test]
    fn closed_form_pivotality_matches_enumeration() {
        let s = [0.4, 0.35, 0.25];
        let p = [0.0, 0.6, 0.3];
        // Enumeration with r slightly above 0 approaches neither closed form, so check each
        // closed form against a brute-force expectation written out here.
        let brute = |r: f64| {
            let mut e = 0.0;
            for a in [0.0, 1.0] {
                for b in [0.0, 1.0] {
                    let prob = (if a > 0.0 { p[1] } else { 1.0 - p[1] })
                        * (if b > 0.0 { p[2] } else { 1.0 - p[2] });
                    e += prob
                        * (ces_aggregate(&s, &[1.0, a, b], r) - ces_aggregate(&s, &[0.0, a, b], r));
                }
            }
            e
        };
        assert!((pivotality(&s, &p, 0, 1.0) - brute(1.0)).abs() < 1e-12);
        assert!((pivotality(&s, &p, 0, -2.0) - brute(-2.0)).abs() < 1e-12);
        assert!((pivotality(&s, &p, 0, 0.5) - brute(0.5)).abs() < 1e-12);
    }

    #[test]
    fn trust_raises_pivotality_in_a_complementary_coalition() {
        let s = [0.4, 0.3, 0.3];
        let low = pivotality(&s, &[0.0, 0.2, 0.2], 0, -2.0);
        let high = pivotality(&s, &[0.0, 0.8, 0.8], 0, -2.0);
        assert!(high > low);
    }

    #[test]
    fn logit_is_a_distribution_and_follows_utility() {
        let p = logit_probabilities(&[1.0, 0.0, 0.0], &[0.0; 3], 0.5);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(p[0] > p[1] && (p[1] - p[2]).abs() < 1e-12);
        let extreme = logit_probabilities(&[1e6, 0.0, -1e6], &[0.0; 3], 0.01);
        assert!(extreme.iter().all(|x| x.is_finite()));
    }

    #[test]
    fn habits_move_both_ways_and_stay_clipped() {
        let mut h = [0.0; 3];
        let asp = bush_mosteller(&mut h, Action::Substantive, 1.0, 0.0, 0.5, 0.1);
        assert!(h[0] > 0.0 && asp > 0.0);
        bush_mosteller(&mut h, Action::Substantive, -10.0, 0.0, 0.5, 0.1);
        assert!(h[0] < 0.0);
        for _ in 0..100 {
            bush_mosteller(&mut h, Action::Shirk, 100.0, 0.0, 1.0, 0.0);
        }
        assert_eq!(h[2], HABIT_CLIP);
    }

    /// Stated before it ran: attention and third-party evaluation substitute (withdrawing
    /// attention costs nothing where evaluation is as strong, and all of attention's hazard
    /// where there is none), while inspection adds as an independent risk.
    #[test]
    fn attention_and_evaluation_are_one_source_of_blame() {
        let with = detection_hazard(1.0, 0.1, 0.1, 0.0, 0.0);
        let without = detection_hazard(1.0, 0.0, 0.1, 0.0, 0.0);
        assert!((with - without).abs() < 1e-12 && (with - 0.1).abs() < 1e-12);
        let fall =
            detection_hazard(1.0, 0.1, 0.0, 0.0, 0.0) - detection_hazard(1.0, 0.0, 0.0, 0.0, 0.0);
        assert!((fall - 0.1).abs() < 1e-12);
        let both = detection_hazard(0.5, 0.1, 0.0, 0.2, 0.0);
        assert!((both - 0.5 * (1.0 - 0.9 * 0.8)).abs() < 1e-12);
    }

    #[test]
    fn trust_is_lost_faster_than_gained() {
        let down = 0.5 - update_trust(0.5, 0.0, 0.05, 0.15);
        let up = update_trust(0.5, 1.0, 0.05, 0.15) - 0.5;
        assert!(down > up);
    }
}
