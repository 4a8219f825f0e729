//! Learning primitives shared by the stages that learn (NER, attribution cues, the quote
//! model): feature hashing ([`hash`]), the tables frozen weights are looked up in
//! ([`index`]: rows kept in their features' slots, or an id-to-row index), averaged-perceptron weights ([`perceptron`]) and
//! linear-chain decoding ([`chain`]), confidence calibration ([`calibrate`]), and with the
//! `bert` feature, word taggers on a fine-tuned transformer encoder (`bert`).

#[cfg(feature = "bert")]
pub mod bert;
pub mod calibrate;
pub mod chain;
pub mod hash;
pub mod index;
pub mod perceptron;

pub use hash::{IdHasher, IdMap};
pub use index::{FeatureIndex, RowTable};
pub use perceptron::{shuffle, Averaged, Weights};
