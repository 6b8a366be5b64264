#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
// Diagnostics are rich on purpose (file, position, field, help) and only travel on the
// cold error path.
#![allow(clippy::result_large_err)]

pub mod cli;
pub mod diag;
pub mod engine;
pub mod explain;
pub mod generate;
pub mod hash;
pub mod model;
pub mod offboard;
pub mod plan;
pub mod policy;
pub mod progress;
pub mod reactivate;
pub mod render;
pub mod requests;
pub mod rules;
pub mod scenario;
pub mod snapshot;
pub mod suite;
pub mod time;
pub mod timing;
