//! Candor's understanding of a message.
//!
//! - Language identification with lingua, restricted to the configured languages, that uses the
//!   conversation as evidence and answers "unknown" below a confidence floor instead of
//!   guessing wrong ([`language`]).
//! - [`IntentModel`]: Candor's own linear text classifier (hashed word and character n-grams,
//!   multinomial logistic regression, calibrated, abstaining, explainable), trained by
//!   [`train()`](train::train) and stored in a versioned, checksummed file ([`format`]).
//! - [`SentimentModel`]: the shipped multilingual sentiment model (negative, neutral, positive),
//!   an [`IntentModel`] trained on openly licensed data ([`corpora`]).
//!
//! ```no_run
//! use candor_classify::IntentModel;
//! let model = IntentModel::load("models/customer-service-intent.ctc").unwrap();
//! let p = model.predict("where is my parcel?");
//! println!("{:?} {:.2} abstained={}", p.label, p.confidence, p.abstained);
//! ```
//!
//! ```no_run
//! use candor_classify::{LanguageConfig, LanguageIdentifier};
//! let id = LanguageIdentifier::new(&LanguageConfig::default()).unwrap();
//! let guess = id.identify("Jeg vil gerne skifte min adresse");
//! assert_eq!(guess.lang.unwrap().code(), "da");
//! ```
#![deny(missing_docs)]

pub mod corpora;
pub mod cues;
pub mod dataset;
pub mod datasheet;
pub mod features;
pub mod format;
pub mod language;
pub mod metrics;
pub mod model;
pub mod neutral;
mod rng;
pub mod sentiment;
pub mod spelling;
pub mod train;
pub mod valence;

pub use dataset::{DataFormat, DatasetError, read_examples};
pub use datasheet::{ClassCount, Datasheet};
pub use features::{FeatureConfig, FeatureConfigError, Scaling};
pub use language::{LanguageConfig, LanguageConfigError, LanguageContext, LanguageIdentifier};
pub use metrics::{ClassScores, Confusion, Evaluation, evaluate};
pub use model::{
    BadConfidence, Contribution, Explanation, IntentModel, ModelError, Prediction, UnknownLabel,
    WeightEncoding,
};
pub use sentiment::{Sentiment, SentimentModel};
pub use train::{
    ClassWeighting, DataInfo, EpochReport, Example, Progress, TrainConfig, TrainError, train,
};
