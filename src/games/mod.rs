//! Payoff, choice rule and learning shared by the governance model and the canonical games
//! used to dock it against published results.

pub mod kernel;
