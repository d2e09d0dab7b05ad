//! cogov: an agent-based simulator of multi-actor collaborative governance (协同共治) in
//! Chinese cities. See `ARCHITECTURE.md` for the map and `docs/ODD.md` for the model.

pub mod charts;
pub mod cli;
pub mod experiment;
pub mod games;
pub mod model;
pub mod output;
pub mod run;
pub mod scenario;
pub mod serve;
pub mod validate;
