//! Candor's fairness audits.
#![deny(missing_docs)]
