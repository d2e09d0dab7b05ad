//! The governance model: pure and deterministic (ODD §1–7).
//!
//! Nothing in `model/` knows about files, clocks, threads' identities or the command line: a
//! run is a function of (parameters, interventions, seed). Parallelism is an implementation
//! detail of `tick` that never reaches results.

pub mod collaboration;
pub mod entities;
pub mod levers;
pub mod params;
pub mod queue;
pub mod rng;
pub mod roles;
pub mod stats;
pub mod tick;
pub mod world;

pub use entities::{ActorKind, Level};
pub use params::{param_specs, ParamSpec, ParamValue, Params};
pub use roles::{ActorId, Choice, RoleKind, RoleTask};
pub use stats::TickStats;
pub use tick::{Intervention, Simulation};
