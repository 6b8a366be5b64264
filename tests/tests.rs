//! Integration tests: they drive the real `roster` binary over fixture files.
//!
//! One test binary (modules below) keeps link time down. Data-driven cases live in
//! `tests/cases/<name>/cmd`: a new case is a new folder, not new code.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod adversarial;
mod cases;
mod determinism;
mod doccheck;
mod docs;
mod equivalence;
mod formats;
mod hostile;
mod notices;
mod output;
mod properties;
mod pull;
mod roundtrip;
mod schema;
mod shell;
mod suite;
mod tenants;
mod width;
