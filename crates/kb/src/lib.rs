//! Candor's knowledge base: articles the bot may answer from.
#![deny(missing_docs)]
